package io.ensemble.server;

import io.ensemble.config.ServerConfig;
import io.ensemble.fault.WallClock;
import io.ensemble.session.Session;
import io.ensemble.session.SessionTracker;
import io.ensemble.tree.DataTree;
import io.ensemble.txn.Txn;
import io.ensemble.wire.ConnectRequest;
import io.ensemble.wire.ConnectResponse;
import io.ensemble.wire.OpCode;

import java.util.Arrays;
import java.util.logging.Logger;

/** The session handshake: new sessions (a createSession transaction), reconnects, and expired sessions. */
final class ConnectHandler {
    private static final Logger LOG = Logger.getLogger(ConnectHandler.class.getName());

    private final ServerConfig config;
    private final SessionTracker sessions;
    private final DataTree tree;
    private final RequestProcessor processor;

    ConnectHandler(ServerConfig config, SessionTracker sessions, DataTree tree, RequestProcessor processor) {
        this.config = config;
        this.sessions = sessions;
        this.tree = tree;
        this.processor = processor;
    }

    void connect(ClientConnection conn, ConnectRequest req, Outbox outbox) {
        if (conn.isClosed()) {
            return;
        }
        if (req.lastZxidSeen() > processor.lastZxid()) {
            LOG.info("Refusing session request for client " + conn + " as it has seen zxid 0x"
                    + Long.toHexString(req.lastZxidSeen()) + " and our last zxid is 0x"
                    + Long.toHexString(processor.lastZxid()) + "; client must try another server");
            conn.handshakeRefused();
            conn.close();
            return;
        }
        int timeout = Math.min(Math.max(req.timeout(), config.minSessionTimeout()), config.maxSessionTimeout());
        if (req.sessionId() == 0 && processor.replicated()) {
            processor.ensemble().createSession(conn, req, timeout);
            return;
        }
        if (req.sessionId() == 0) {
            long id = sessions.nextSessionId();
            processor.commit(id, 0, OpCode.CREATE_SESSION, new Txn.CreateSession(timeout),
                    WallClock.millis());
            Session s = sessions.add(id, timeout);
            LOG.fine(() -> "Established session 0x" + Long.toHexString(id) + " with negotiated timeout " + timeout
                    + " for client " + conn);
            establish(conn, s, timeout, req, outbox);
            return;
        }
        if (processor.replicated() && !processor.ordersWrites()) {
            // Only the leader knows whether the session is alive: this server may not even have applied its
            // creation yet (ZooKeeper's followers ask too). The password is a function of the id.
            if (!Arrays.equals(SessionTracker.passwordFor(req.sessionId()), req.passwd())) {
                refuse(conn, req, outbox);
            } else {
                processor.ensemble().revalidateWithLeader(conn, req, timeout);
            }
            return;
        }
        Session s = sessions.get(req.sessionId());
        if (s == null || s.isClosing() || !sessions.checkPassword(s, req.passwd())) {
            refuse(conn, req, outbox);
            return;
        }
        sessions.touch(s);
        if (processor.replicated()) {
            processor.ensemble().ownedHere(s.id()); // the leader's own client
        }
        establishMoved(conn, s, timeout, req, outbox);
    }

    /** The session does not exist (expired, closed) or the password is wrong: "session expired", then close. */
    static void refuse(ClientConnection conn, ConnectRequest req, Outbox outbox) {
        LOG.info(() -> "Invalid session 0x" + Long.toHexString(req.sessionId()) + " for client " + conn
                + ", probably expired");
        outbox.sendAndClose(conn, ConnectResponse.expired(req.readOnlyPresent()));
        conn.handshakeRefused();
    }

    /** Hands an existing session to {@code conn}; a connection that still holds it is closed. */
    void establishMoved(ClientConnection conn, Session s, int timeout, ConnectRequest req, Outbox outbox) {
        if (s.owner() instanceof ClientConnection old && old != conn) {
            LOG.fine(() -> "Closing " + old + " as its session moved to " + conn);
            tree.removeWatcher(old);
            old.close();
        }
        establish(conn, s, timeout, req, outbox);
    }

    static void establish(ClientConnection conn, Session s, int timeout, ConnectRequest req, Outbox outbox) {
        s.owner(conn);
        conn.sessionEstablished(s, timeout);
        outbox.send(conn, new ConnectResponse(timeout, s.id(), s.password(), false, req.readOnlyPresent()));
    }

    /** A connection is gone: its watches go with it; its session lives on until it expires. */
    void disconnected(ClientConnection conn) {
        tree.removeWatcher(conn);
        Session s = conn.session();
        if (s != null && s.owner() == conn) {
            s.owner(null);
        }
    }
}
