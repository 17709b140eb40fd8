package io.ensemble.server;

import io.ensemble.fault.WallClock;
import io.ensemble.session.Session;
import io.ensemble.session.SessionTracker;
import io.ensemble.tree.DataTree;
import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.Txn;
import io.ensemble.txn.TxnHeader;
import io.ensemble.wire.ConnectRequest;
import io.ensemble.wire.Err;
import io.ensemble.wire.Id;
import io.ensemble.wire.JuteReader;
import io.ensemble.wire.MalformedRecordException;
import io.ensemble.wire.OpCode;
import io.ensemble.wire.Requests;
import io.ensemble.wire.Responses;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The request processor's side for a server of an ensemble. Writes are not applied when prepared: the leader
 * proposes them (checked against what it proposed before, {@link OutstandingChanges}) and a learner forwards them;
 * every server applies them when they commit ({@link #applyCommitted}) and answers the client that asked. Reads are
 * answered from the local tree, in each session's order ({@link ReplyOrder}). Runs on the processor thread only.
 */
final class ReplicatedRequests {
    private static final Logger LOG = Logger.getLogger(ReplicatedRequests.class.getName());

    private record SyncWait(long target, long sessionId, ReplyOrder.Entry entry) {
    }

    private record PendingConnect(ClientConnection conn, ConnectRequest request, int timeout) {
    }

    private final RequestProcessor processor;
    private final DataTree tree;
    private final SessionTracker sessions;
    private final WritePreparer preparer;
    private final ConnectHandler connects;
    private final Outbox outbox;
    /** This server's role while it serves; null while it does not (clients are turned away). */
    private volatile ReplicationLink link;
    private final OutstandingChanges outstanding = new OutstandingChanges();
    private final ReplyOrder order = new ReplyOrder();
    /** Leader: local syncs, in target order, each waiting for its target zxid to be applied. */
    private final ArrayDeque<SyncWait> localSyncs = new ArrayDeque<>();
    /** Handshakes waiting for their createSession commit or the leader's revalidation, by session id. */
    private final Map<Long, PendingConnect> pendingConnects = new HashMap<>();
    /**
     * Leader: the server each session's client is connected to (ZooKeeper's session owner). A write that comes
     * through another server is from a connection the session has left: SESSIONMOVED. Unknown after a leader
     * change until the session's next request or revalidation claims it.
     */
    private final Map<Long, Long> owners = new HashMap<>();
    private final long myId;

    ReplicatedRequests(RequestProcessor processor, long myId, DataTree tree, SessionTracker sessions,
                       WritePreparer preparer, ConnectHandler connects, Outbox outbox) {
        this.processor = processor;
        this.myId = myId;
        this.tree = tree;
        this.sessions = sessions;
        this.preparer = preparer;
        this.connects = connects;
        this.outbox = outbox;
    }

    boolean serving() {
        return link != null;
    }

    boolean leading() {
        ReplicationLink l = link;
        return l != null && l.leading();
    }

    /** "leader", "follower" or "observer"; null while not serving. Any thread. */
    String mode() {
        ReplicationLink l = link;
        return l == null ? null : l.mode();
    }

    /** The connection is gone: nothing of its session's line will be answered to it. */
    void forget(long sessionId, ClientConnection conn) {
        order.forget(sessionId, conn);
    }


    /** A client request: writes go to the leader; everything answers in the session's order. */
    void request(Work.Request r, ClientConnection conn, Session session) {
        int type = r.type();
        // An undecodable write fails here like a read (no zxid), except a multi: ZooKeeper logs that one as an error.
        boolean write = (OpCode.isWrite(type) || type == OpCode.RECONFIG || type == OpCode.CLOSE_SESSION)
                && (r.body() != null || (type == OpCode.MULTI && r.decodeError() != null));
        if (type == OpCode.AUTH && r.body() != null) {
            processor.auth(r, conn);
        } else if (write) {
            order.add(session.id(), new ReplyOrder.Entry(r, false));
            if (link.leading()) {
                proposeWrite(session.id(), r.xid(), type, r.body(), conn.authIds(), myId);
            } else {
                link.forward(session.id(), r.xid(), type, Arrays.copyOfRange(r.frame(), 8, r.frame().length),
                        List.copyOf(conn.authIds()));
            }
        } else if (type == OpCode.SYNC && r.body() instanceof Requests.PathOnly p) {
            sync(r, session, p.path());
        } else if (order.waiting(session.id())) {
            order.add(session.id(), new ReplyOrder.Entry(r, true));
        } else {
            runRead(r);
        }
    }

    /** A read (or ping, or anything else that does not change state) answered from this server's tree. */
    private void runRead(Work.Request r) {
        ClientConnection conn = r.conn();
        if (conn.isClosed()) {
            return;
        }
        if (r.type() == OpCode.PING) {
            outbox.send(conn, new Reply(Reply.PING_XID, processor.lastZxid(), 0, null));
        } else if (r.body() == null) {
            processor.refuseUndecodable(r, conn);
        } else if (r.type() == OpCode.CHECK || r.type() == OpCode.NOTIFICATION || r.type() == OpCode.AUTH) {
            processor.unimplemented(r, conn);
        } else {
            processor.read(r, conn);
        }
    }

    private void sync(Work.Request r, Session session, String path) {
        ReplyOrder.Entry e = new ReplyOrder.Entry(r, false);
        order.add(session.id(), e);
        if (!link.leading()) {
            link.sync(session.id(), r.xid(), path);
        } else if (link.lastProposed() <= processor.lastZxid()) {
            completeSync(session.id(), e);
        } else {
            localSyncs.addLast(new SyncWait(link.lastProposed(), session.id(), e));
        }
    }

    private void completeSync(long sessionId, ReplyOrder.Entry e) {
        String path = ((Requests.PathOnly) e.request.body()).path();
        e.complete(processor.lastZxid(), Err.OK, new Responses.PathBody(path), false);
        drain(sessionId);
    }

    /** Learner: the leader answered this session's sync; every commit before it has been applied. */
    void syncDone(long sessionId, int cxid) {
        ReplyOrder.Entry e = order.awaitingSync(sessionId, cxid);
        if (e != null) {
            completeSync(sessionId, e);
        }
    }

    private void drain(long sessionId) {
        order.drain(sessionId, e -> {
            ClientConnection conn = e.request.conn();
            if (e.err != Err.SESSION_MOVED) {
                processor.reply(e.request, conn, e.zxid, e.err, e.body);
            }
            if (e.closeAfter) {
                outbox.sendAndClose(conn, null);
            }
        }, e -> runRead(e.request));
    }

    /**
     * Leader: prepares a write against the tree plus everything proposed before it, and proposes it. A refused
     * write is proposed too, as an error transaction: it takes a zxid, as in ZooKeeper.
     *
     * @param origin the server whose client sent it, or {@link #SERVER} for the server's own (expiry, reaper)
     */
    void proposeWrite(long sessionId, int cxid, int type, Requests.Body body, Collection<Id> auth, long origin) {
        boolean client = origin != SERVER;
        Session session = sessionId == 0 ? null : sessions.get(sessionId);
        WritePreparer.Prepared p;
        if (client && session == null) {
            p = refused(Err.SESSION_EXPIRED);
        } else if (client && type != OpCode.CLOSE_SESSION && !claim(sessionId, origin)) {
            p = refused(Err.SESSION_MOVED);
        } else if (type == OpCode.CLOSE_SESSION) {
            p = preparer.prepareCloseSession(sessionId, outstanding);
            if (session != null) {
                sessions.setClosing(session);
            }
        } else if (type == OpCode.RECONFIG) {
            p = refused(Err.RECONFIG_DISABLED);
        } else if (body == null) {
            p = refused(Err.MARSHALLING_ERROR);
        } else {
            p = preparer.prepare(type, body, session, auth, outstanding);
            if (!client && p.txn() instanceof Txn.Error) {
                return; // the reaper's delete lost a race: nothing to do
            }
        }
        long zxid = link.propose(sessionId, cxid, type, p.txn(), WallClock.millis());
        outstanding.record(zxid, p.changes());
    }

    /** Origin of the server's own writes (session expiry, the container reaper): no session owner to check. */
    static final long SERVER = -1;

    /** Leader: whether {@code server} holds the session's connection (the first to ask claims an unknown one). */
    private boolean claim(long sessionId, long server) {
        Long owner = owners.putIfAbsent(sessionId, server);
        return owner == null || owner == server;
    }

    /** Leader: a client reconnected here with its session. */
    void ownedHere(long sessionId) {
        owners.put(sessionId, myId);
    }

    private static WritePreparer.Prepared refused(int err) {
        return new WritePreparer.Prepared(new Txn.Error(err), Map.of());
    }

    /** Leader: learner {@code from} forwarded a client's write (ZooKeeper's REQUEST). */
    void prepareForwarded(long from, long sessionId, int cxid, int type, byte[] body, List<Id> auth) {
        if (type == OpCode.CREATE_SESSION) {
            if (body == null || body.length != 4) {
                LOG.warning("Ignoring a forwarded createSession without its timeout");
                return;
            }
            int timeout = new JuteReader(body).readInt();
            owners.put(sessionId, from);
            link.propose(sessionId, 0, OpCode.CREATE_SESSION, new Txn.CreateSession(timeout),
                    WallClock.millis());
            return;
        }
        Requests.Body decoded = null;
        if (type != OpCode.CLOSE_SESSION && type != OpCode.RECONFIG && body != null) {
            try {
                decoded = Requests.decode(type, new JuteReader(body));
            } catch (Requests.UnknownOpException | MalformedRecordException e) {
                LOG.fine(() -> "forwarded request of type " + type + " does not decode: " + e);
            }
        }
        proposeWrite(sessionId, cxid, type, decoded, auth, from);
    }

    /** A new session in an ensemble: the leader logs createSession; the handshake completes when it commits. */
    void createSession(ClientConnection conn, ConnectRequest req, int timeout) {
        long id = sessions.nextSessionId();
        pendingConnects.put(id, new PendingConnect(conn, req, timeout));
        if (link.leading()) {
            owners.put(id, myId);
            link.propose(id, 0, OpCode.CREATE_SESSION, new Txn.CreateSession(timeout), WallClock.millis());
        } else {
            link.forward(id, 0, OpCode.CREATE_SESSION, ByteBuffer.allocate(4).putInt(timeout).array(),
                    List.of());
        }
    }

    /** Learner: a client brings a session here; only the leader knows whether it is still alive. */
    void revalidateWithLeader(ClientConnection conn, ConnectRequest req, int timeout) {
        pendingConnects.put(req.sessionId(), new PendingConnect(conn, req, timeout));
        link.revalidate(req.sessionId(), timeout);
    }

    /** Learner: the leader's answer to a revalidation. */
    void revalidated(long sessionId, boolean valid) {
        PendingConnect pc = pendingConnects.remove(sessionId);
        if (pc == null || pc.conn().isClosed()) {
            return;
        }
        if (!valid) {
            ConnectHandler.refuse(pc.conn(), pc.request(), outbox);
            return;
        }
        Session s = sessions.get(sessionId);
        if (s == null) {
            s = sessions.add(sessionId, pc.timeout()); // its createSession commit has not reached us yet
        }
        connects.establishMoved(pc.conn(), s, pc.timeout(), pc.request(), outbox);
    }

    /** Leader: whether a session is alive; if it is, it counts as touched and now belongs to {@code from}. */
    boolean revalidate(long from, long sessionId) {
        Session s = sessions.get(sessionId);
        boolean alive = s != null && sessions.touch(s);
        if (alive) {
            owners.put(sessionId, from);
        }
        return alive;
    }

    /**
     * A committed transaction, in zxid order: applied to the tree and the sessions, and the local request that
     * asked for it is answered.
     */
    void applyCommitted(LoggedTxn t) {
        TxnHeader h = t.header();
        long sid = h.sessionId();
        ReplyOrder.Entry waiting = t.txn() instanceof Txn.CreateSession ? null
                : order.awaitingWrite(sid, h.cxid(), h.type());
        Responses.Body body = null;
        if (t.txn() instanceof Txn.Multi m && waiting != null && waiting.request.body() instanceof Requests.Multi) {
            body = processor.applyMulti(h, m, waiting.request);
        } else {
            if (t.txn() instanceof Txn.CreateSession c && sessions.get(sid) == null) {
                sessions.add(sid, c.timeout());
            }
            tree.apply(h, t.txn(), outbox);
            if (waiting != null && !(t.txn() instanceof Txn.Error)) {
                body = processor.describe(waiting.request.type(), t.txn());
            }
        }
        processor.advanced(h.zxid());
        outstanding.committed(h.zxid());
        switch (t.txn()) {
            case Txn.CreateSession c -> sessionCreated(sid);
            case Txn.CloseSession c -> sessionClosed(sid, waiting);
            default -> { }
        }
        if (waiting != null) {
            int err = t.txn() instanceof Txn.Error e ? e.err() : Err.OK;
            // A connection the session has left gets no answer: it is closed, as ZooKeeper does.
            waiting.complete(h.zxid(), err, body, t.txn() instanceof Txn.CloseSession || err == Err.SESSION_MOVED);
            drain(sid);
        }
        while (!localSyncs.isEmpty() && localSyncs.peekFirst().target() <= h.zxid()) {
            SyncWait w = localSyncs.pollFirst();
            completeSync(w.sessionId(), w.entry());
        }
    }

    private void sessionCreated(long sessionId) {
        PendingConnect pc = pendingConnects.remove(sessionId);
        Session s = sessions.get(sessionId);
        if (pc != null && !pc.conn().isClosed() && s != null) {
            ConnectHandler.establish(pc.conn(), s, pc.timeout(), pc.request(), outbox);
        }
    }

    private void sessionClosed(long sessionId, ReplyOrder.Entry waiting) {
        Session s = sessions.get(sessionId);
        sessions.remove(sessionId);
        owners.remove(sessionId);
        if (s != null && s.owner() instanceof ClientConnection owner
                && (waiting == null || waiting.request.conn() != owner)) {
            owner.close(); // expired: the client learns it when it reconnects
        }
    }

    /** Leader: the learners' clients were active. */
    void touchSessions(Map<Long, Integer> touched) {
        touched.keySet().forEach(id -> {
            Session s = sessions.get(id);
            if (s != null) {
                sessions.touch(s);
            }
        });
    }

    /** Starts answering clients in a role; a new leader gives every session a full timeout from now. */
    void startServing(ReplicationLink role) {
        if (role.leading()) {
            sessions.all().forEach(sessions::touch); // before the expiry thread sees a leader
        }
        link = role;
    }

    /** Stops answering clients (the server closes their connections); nothing waiting will be answered. */
    void stopServing() {
        link = null;
        order.clear();
        localSyncs.clear();
        pendingConnects.clear();
        outstanding.clear();
        owners.clear();
    }
}
