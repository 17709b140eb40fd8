package io.ensemble.server;

import io.ensemble.config.ServerConfig;
import io.ensemble.session.Session;
import io.ensemble.session.SessionTracker;
import io.ensemble.tree.DataTree;
import io.ensemble.storage.GroupCommitLog;
import io.ensemble.storage.ZxidProgress;
import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.Txn;
import io.ensemble.txn.TxnHeader;
import io.ensemble.wire.Err;
import io.ensemble.wire.OpCode;
import io.ensemble.wire.Requests;
import io.ensemble.wire.Responses;

import io.ensemble.wire.ConnectRequest;
import io.ensemble.wire.ConnectResponse;
import io.ensemble.wire.Id;
import io.ensemble.wire.JuteReader;
import io.ensemble.wire.MalformedRecordException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The single thread that orders everything: it takes work in arrival order, prepares each write into a
 * transaction with the next zxid, applies it, answers reads from the tree, and releases each batch's replies
 * together. One thread means one global order with no locks on the tree; batching means one hand-off and (with
 * durable storage) one fsync per batch rather than per request.
 */
final class RequestProcessor implements Runnable, ZxidProgress {
    private static final Logger LOG = Logger.getLogger(RequestProcessor.class.getName());
    private static final int MAX_BATCH = 1000;

    private final LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
    private final Semaphore inFlight;
    private final ServerConfig config;
    private final DataTree tree;
    private final SessionTracker sessions;
    private final ServerStats stats;
    private final WritePreparer preparer;
    private final ReadHandler reads;
    private final ConnectHandler connects;
    private final Outbox outbox = new Outbox();
    /** Transactions of the current batch, handed to the log with the batch's replies. */
    private List<LoggedTxn> batchTxns = new ArrayList<>();
    private GroupCommitLog log;
    /** In an ensemble: writes are ordered by the leader and applied on commit (see applyCommitted). */
    private final boolean replicated;
    /** This server's role while it serves in an ensemble; null while it does not (clients are turned away). */
    private volatile ReplicationLink link;
    private final OutstandingChanges outstanding = new OutstandingChanges();
    private final ReplyOrder order = new ReplyOrder();
    /** Leader: local syncs, in target order, each waiting for its target zxid to be applied. */
    private final ArrayDeque<SyncWait> localSyncs = new ArrayDeque<>();
    /** Handshakes waiting for their createSession commit or the leader's revalidation, by session id. */
    private final Map<Long, PendingConnect> pendingConnects = new HashMap<>();
    /** The last zxid handed out; written before its change is applied (see ZxidProgress). */
    private volatile long issuedZxid;
    /** The last zxid applied to the tree; a volatile write after each apply, so other threads see the tree. */
    private volatile long lastZxid;
    private volatile boolean running = true;
    private volatile String mode;

    RequestProcessor(ServerConfig config, DataTree tree, SessionTracker sessions, ServerStats stats) {
        this.config = config;
        this.tree = tree;
        this.sessions = sessions;
        this.stats = stats;
        this.inFlight = new Semaphore(Math.max(1, config.globalOutstandingLimit()));
        this.preparer = new WritePreparer(tree, config);
        this.reads = new ReadHandler(tree);
        this.connects = new ConnectHandler(config, sessions, tree, this);
        this.replicated = config.replicated();
        this.mode = replicated ? null : "standalone";
    }

    private record SyncWait(long target, long sessionId, ReplyOrder.Entry entry) {
    }

    record PendingConnect(ClientConnection conn, ConnectRequest request, int timeout) {
    }

    long lastZxid() {
        return lastZxid;
    }

    @Override
    public long applied() {
        return lastZxid;
    }

    @Override
    public long issued() {
        return issuedZxid;
    }

    /** Continues from the recovered zxid and logs every new transaction through the group-commit log. */
    void start(long recoveredZxid, GroupCommitLog commitLog) {
        issuedZxid = recoveredZxid;
        lastZxid = recoveredZxid;
        log = commitLog;
    }

    /** Queues work; client requests wait here while globalOutstandingLimit requests are in flight. */
    void submit(Work work) throws InterruptedException {
        if (work instanceof Work.Request) {
            inFlight.acquire();
            stats.queued();
        }
        queue.put(work);
    }

    /** Queues the server's own work; never blocks, never counts against the client limit. */
    void submitInternal(Work work) {
        queue.add(work);
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        List<Work> batch = new ArrayList<>();
        while (running) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            for (Work w : batch) {
                try {
                    handle(w);
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "Unexpected error processing " + w, e);
                } finally {
                    if (w instanceof Work.Request) {
                        inFlight.release();
                        stats.dequeued();
                    }
                }
            }
            batch.clear();
            endBatch();
        }
    }

    /**
     * Replies leave only after the log is durable up to their batch. A batch without writes may go out at once if
     * nothing is waiting on the log: every change it could have seen is already on disk.
     */
    private void endBatch() {
        Runnable release = outbox.detach();
        if (replicated) {
            // Answers here follow commits, which a quorum has logged already.
            release.run();
            return;
        }
        if (batchTxns.isEmpty() && log.idle()) {
            release.run();
        } else {
            log.submit(batchTxns, release);
            batchTxns = new ArrayList<>();
        }
    }

    private void handle(Work w) {
        switch (w) {
            case Work.Connect c when replicated && link == null -> turnAway(c.conn());
            case Work.Connect c -> connects.connect(c.conn(), c.request(), outbox);
            case Work.Request r -> request(r);
            case Work.Disconnected d -> disconnected(d.conn());
            case Work.ExpireSession e when ordersWrites() -> expire(e.sessionId());
            case Work.ReapContainers r when ordersWrites() -> new ContainerReaper(tree, config, this).reap();
            case Work.ExpireSession e -> { } // a learner's sessions are expired by its leader
            case Work.ReapContainers r -> { }
            case Work.Inspect i -> i.task().run();
            case Work.Replication q -> q.task().run();
        }
    }

    /** Takes the next zxid, queues the transaction for the log, applies it (a multi is applied by the caller). */
    TxnHeader commit(long sessionId, int cxid, int type, Txn txn, long time) {
        TxnHeader hdr = new TxnHeader(sessionId, cxid, ++issuedZxid, time, type);
        batchTxns.add(new LoggedTxn(hdr, txn));
        if (!(txn instanceof Txn.Multi)) {
            tree.apply(hdr, txn, outbox);
            lastZxid = hdr.zxid();
        }
        return hdr;
    }

    private void request(Work.Request r) {
        ClientConnection conn = r.conn();
        Session session = conn.session();
        if (conn.isClosed() || session == null) {
            return;
        }
        if (replicated && link == null) {
            turnAway(conn);
            return;
        }
        if (sessions.get(session.id()) == null) {
            LOG.fine(() -> "dropping a request of expired session 0x" + Long.toHexString(session.id()));
            conn.close();
            return;
        }
        stats.packetReceived();
        int type = r.type();
        if (replicated) {
            replicatedRequest(r, conn, session);
            return;
        }
        if (r.body() == null) {
            refuseUndecodable(r, conn);
            return;
        }
        switch (type) {
            case OpCode.PING -> outbox.send(conn, new Reply(Reply.PING_XID, lastZxid, 0, null));
            case OpCode.AUTH -> auth(r, conn);
            case OpCode.CHECK, OpCode.NOTIFICATION -> unimplemented(r, conn);
            case OpCode.CLOSE_SESSION -> closeSession(r, conn, session);
            default -> {
                if (OpCode.isWrite(type) || type == OpCode.RECONFIG) {
                    write(r, conn, session);
                } else {
                    ReadHandler.Result res = reads.read(type, r.body(), conn, outbox);
                    reply(r, conn, lastZxid, res.err(), res.body());
                }
            }
        }
    }

    private void refuseUndecodable(Work.Request r, ClientConnection conn) {
        if (r.decodeError() == null) {
            unimplemented(r, conn);
        } else if (r.type() == OpCode.MULTI) {
            // ZooKeeper turns an undecodable multi into an error transaction: it still takes a zxid.
            TxnHeader hdr = commit(conn.session().id(), r.xid(), r.type(), new Txn.Error(Err.MARSHALLING_ERROR),
                    System.currentTimeMillis());
            reply(r, conn, hdr.zxid(), Err.MARSHALLING_ERROR, null);
        } else {
            // As ZooKeeper: the request fails, the connection stays, and no zxid is taken.
            LOG.warning("Undecodable request of type " + r.type() + " from " + conn + ": " + r.decodeError());
            reply(r, conn, lastZxid, Err.MARSHALLING_ERROR, null);
        }
    }

    private void unimplemented(Work.Request r, ClientConnection conn) {
        LOG.warning("Closing connection " + conn + ": unsupported request type " + r.type());
        outbox.sendAndClose(conn, new Reply(r.xid(), -1, Err.UNIMPLEMENTED, null));
    }

    private void auth(Work.Request r, ClientConnection conn) {
        int err = AuthHandler.authenticate((Requests.Auth) r.body(), conn, config.superDigest());
        Reply reply = new Reply(Reply.AUTH_XID, 0, err, null);
        if (err == Err.OK) {
            outbox.send(conn, reply);
        } else {
            outbox.sendAndClose(conn, reply);
        }
    }

    private void write(Work.Request r, ClientConnection conn, Session session) {
        long time = System.currentTimeMillis();
        Txn txn = r.type() == OpCode.RECONFIG ? new Txn.Error(Err.RECONFIG_DISABLED)
                : preparer.prepare(r.type(), r.body(), session, conn.authIds());
        TxnHeader hdr = commit(session.id(), r.xid(), r.type(), txn, time);
        switch (txn) {
            case Txn.Error e -> reply(r, conn, hdr.zxid(), e.err(), null);
            case Txn.Multi m -> {
                Responses.MultiBody results = applyMulti(hdr, m, r);
                lastZxid = hdr.zxid();
                reply(r, conn, hdr.zxid(), Err.OK, results);
            }
            default -> reply(r, conn, hdr.zxid(), Err.OK, describe(r.type(), txn));
        }
    }

    /** Applies a multi op by op, so each result carries the Stat right after its own op, as ZooKeeper's does. */
    private Responses.MultiBody applyMulti(TxnHeader hdr, Txn.Multi multi, Work.Request r) {
        List<Requests.Op> ops = ((Requests.Multi) r.body()).ops();
        List<Responses.OpResult> results = new ArrayList<>(ops.size());
        for (int i = 0; i < multi.txns().size(); i++) {
            Txn sub = multi.txns().get(i);
            int type = ops.get(i).type();
            if (sub instanceof Txn.Error e) {
                results.add(new Responses.OpResult(OpCode.ERROR, e.err(), null));
                continue;
            }
            tree.apply(hdr, sub, outbox);
            int resultType = type == OpCode.CREATE_CONTAINER || type == OpCode.CREATE_TTL ? OpCode.CREATE2 : type;
            results.add(new Responses.OpResult(resultType, Err.OK, describe(resultType, sub)));
        }
        return new Responses.MultiBody(results);
    }

    /** The success body of an applied write. */
    private Responses.Body describe(int type, Txn txn) {
        return switch (txn) {
            case Txn.Create c -> type == OpCode.CREATE ? new Responses.PathBody(c.path())
                    : new Responses.PathStatBody(c.path(), tree.get(c.path()).stat());
            case Txn.SetData s -> new Responses.StatBody(tree.get(s.path()).stat());
            case Txn.SetAcl s -> new Responses.StatBody(tree.get(s.path()).stat());
            default -> null;
        };
    }

    private void closeSession(Work.Request r, ClientConnection conn, Session session) {
        TxnHeader hdr = commit(session.id(), r.xid(), OpCode.CLOSE_SESSION, new Txn.CloseSession(),
                System.currentTimeMillis());
        sessions.remove(session.id());
        LOG.fine(() -> "session 0x" + Long.toHexString(session.id()) + " closed by the client");
        reply(r, conn, hdr.zxid(), Err.OK, null);
        outbox.sendAndClose(conn, null);
    }

    /** A session whose deadline passed: its ephemerals go in one closeSession transaction; its socket is cut. */
    private void expire(long sessionId) {
        Session s = sessions.get(sessionId);
        if (s == null) {
            return;
        }
        LOG.info(() -> "Expiring session 0x" + Long.toHexString(sessionId) + ", timeout of " + s.timeout()
                + "ms exceeded");
        if (replicated) {
            proposeWrite(sessionId, 0, OpCode.CLOSE_SESSION, null, List.of(), false); // applied on commit
            return;
        }
        commit(sessionId, 0, OpCode.CLOSE_SESSION, new Txn.CloseSession(), System.currentTimeMillis());
        sessions.remove(sessionId);
        if (s.owner() instanceof ClientConnection owner) {
            owner.close();
        }
    }

    private void reply(Work.Request r, ClientConnection conn, long zxid, int err, Responses.Body body) {
        outbox.send(conn, new Reply(r.xid(), zxid, err, body));
        long millis = (System.nanoTime() - r.receivedNanos()) / 1_000_000;
        stats.latency().add(millis);
        conn.stats.completed(opName(r.type()), millis);
    }

    private static String opName(int type) {
        return switch (type) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER, OpCode.CREATE_TTL -> "CREA";
            case OpCode.DELETE -> "DELE";
            case OpCode.EXISTS -> "EXIS";
            case OpCode.GET_DATA -> "GETD";
            case OpCode.SET_DATA -> "SETD";
            case OpCode.GET_CHILDREN, OpCode.GET_CHILDREN2 -> "GETC";
            case OpCode.MULTI -> "MULT";
            case OpCode.SYNC -> "SYNC";
            default -> "OTHR";
        };
    }

    /** Applies a reaper delete (deleteContainer, checked like a client's) with no session. */
    void deleteContainer(String path) {
        if (replicated) {
            proposeWrite(0, 0, OpCode.DELETE_CONTAINER, new Requests.PathOnly(path), List.of(), false);
            return;
        }
        Txn txn = preparer.prepare(OpCode.DELETE_CONTAINER, new Requests.PathOnly(path), null, List.of());
        if (!(txn instanceof Txn.Error)) {
            commit(0, 0, OpCode.DELETE_CONTAINER, txn, System.currentTimeMillis());
        }
    }

    // --- in an ensemble --------------------------------------------------------------------------------------

    boolean replicated() {
        return replicated;
    }

    /** Whether this server orders writes itself: standalone, or the leader of an ensemble. */
    boolean ordersWrites() {
        return !replicated || (link != null && link.leading());
    }

    /** "standalone", "leader", "follower", "observer", or null while a replicated server is not serving. */
    String mode() {
        return mode;
    }

    private void turnAway(ClientConnection conn) {
        conn.handshakeRefused();
        conn.close();
    }

    private void disconnected(ClientConnection conn) {
        Session s = conn.session();
        if (replicated && s != null) {
            order.forget(s.id(), conn);
        }
        connects.disconnected(conn);
    }

    /** Requests of a replicated server: writes go to the leader; everything answers in the session's order. */
    private void replicatedRequest(Work.Request r, ClientConnection conn, Session session) {
        int type = r.type();
        boolean write = OpCode.isWrite(type) || type == OpCode.RECONFIG || type == OpCode.CLOSE_SESSION
                || (type == OpCode.MULTI && r.decodeError() != null);
        if (type == OpCode.AUTH && r.body() != null) {
            auth(r, conn);
        } else if (write) {
            order.add(session.id(), new ReplyOrder.Entry(r, false));
            if (link.leading()) {
                proposeWrite(session.id(), r.xid(), type, r.body(), conn.authIds(), true);
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
            outbox.send(conn, new Reply(Reply.PING_XID, lastZxid, 0, null));
        } else if (r.body() == null) {
            refuseUndecodable(r, conn);
        } else if (r.type() == OpCode.CHECK || r.type() == OpCode.NOTIFICATION || r.type() == OpCode.AUTH) {
            unimplemented(r, conn);
        } else {
            ReadHandler.Result res = reads.read(r.type(), r.body(), conn, outbox);
            reply(r, conn, lastZxid, res.err(), res.body());
        }
    }

    private void sync(Work.Request r, Session session, String path) {
        ReplyOrder.Entry e = new ReplyOrder.Entry(r, false);
        order.add(session.id(), e);
        if (!link.leading()) {
            link.sync(session.id(), r.xid(), path);
        } else if (link.lastProposed() <= lastZxid) {
            completeSync(session.id(), e);
        } else {
            localSyncs.addLast(new SyncWait(link.lastProposed(), session.id(), e));
        }
    }

    private void completeSync(long sessionId, ReplyOrder.Entry e) {
        e.complete(lastZxid, Err.OK, new Responses.PathBody(((Requests.PathOnly) e.request.body()).path()), false);
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
            reply(e.request, conn, e.zxid, e.err, e.body);
            if (e.closeAfter) {
                outbox.sendAndClose(conn, null);
            }
        }, e -> runRead(e.request));
    }

    /**
     * Leader: prepares a write against the tree plus everything proposed before it, and proposes it. A refused
     * write is proposed too, as an error transaction: it takes a zxid, as in ZooKeeper.
     */
    private void proposeWrite(long sessionId, int cxid, int type, Requests.Body body, java.util.Collection<Id> auth,
                              boolean client) {
        Session session = sessionId == 0 ? null : sessions.get(sessionId);
        WritePreparer.Prepared p;
        if (client && session == null) {
            p = refused(Err.SESSION_EXPIRED);
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
        long zxid = link.propose(sessionId, cxid, type, p.txn(), System.currentTimeMillis());
        outstanding.record(zxid, p.changes());
    }

    private static WritePreparer.Prepared refused(int err) {
        return new WritePreparer.Prepared(new Txn.Error(err), Map.of());
    }

    /** Leader: a learner forwarded a client's write (ZooKeeper's REQUEST). */
    void prepareForwarded(long sessionId, int cxid, int type, byte[] body, List<Id> auth) {
        if (type == OpCode.CREATE_SESSION) {
            if (body == null || body.length != 4) {
                LOG.warning("Ignoring a forwarded createSession without its timeout");
                return;
            }
            int timeout = new JuteReader(body).readInt();
            link.propose(sessionId, 0, OpCode.CREATE_SESSION, new Txn.CreateSession(timeout),
                    System.currentTimeMillis());
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
        proposeWrite(sessionId, cxid, type, decoded, auth, true);
    }

    /** A new session in an ensemble: the leader logs createSession; the handshake completes when it commits. */
    void createSession(ClientConnection conn, ConnectRequest req, int timeout) {
        long id = sessions.nextSessionId();
        pendingConnects.put(id, new PendingConnect(conn, req, timeout));
        if (link.leading()) {
            link.propose(id, 0, OpCode.CREATE_SESSION, new Txn.CreateSession(timeout), System.currentTimeMillis());
        } else {
            link.forward(id, 0, OpCode.CREATE_SESSION, java.nio.ByteBuffer.allocate(4).putInt(timeout).array(),
                    List.of());
        }
    }

    /** Learner: a client brings a session here; only the leader knows whether it is still alive. */
    boolean revalidateWithLeader(ClientConnection conn, ConnectRequest req, int timeout) {
        if (!replicated || link.leading()) {
            return false;
        }
        pendingConnects.put(req.sessionId(), new PendingConnect(conn, req, timeout));
        link.revalidate(req.sessionId(), timeout);
        return true;
    }

    /** Learner: the leader's answer to a revalidation. */
    void revalidated(long sessionId, boolean valid) {
        PendingConnect pc = pendingConnects.remove(sessionId);
        if (pc == null || pc.conn().isClosed()) {
            return;
        }
        Session s = sessions.get(sessionId);
        if (valid && s != null) {
            connects.establishMoved(pc.conn(), s, pc.timeout(), pc.request(), outbox);
        } else {
            outbox.sendAndClose(pc.conn(), ConnectResponse.expired(pc.request().readOnlyPresent()));
            pc.conn().handshakeRefused();
        }
    }

    /** Leader: whether a session is alive; if it is, it counts as touched. */
    boolean revalidate(long sessionId) {
        Session s = sessions.get(sessionId);
        return s != null && sessions.touch(s);
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
            body = applyMulti(h, m, waiting.request);
        } else {
            if (t.txn() instanceof Txn.CreateSession c && sessions.get(sid) == null) {
                sessions.add(sid, c.timeout());
            }
            tree.apply(h, t.txn(), outbox);
            if (waiting != null && !(t.txn() instanceof Txn.Error)) {
                body = describe(waiting.request.type(), t.txn());
            }
        }
        issuedZxid = Math.max(issuedZxid, h.zxid());
        lastZxid = h.zxid();
        outstanding.committed(h.zxid());
        switch (t.txn()) {
            case Txn.CreateSession c -> sessionCreated(sid);
            case Txn.CloseSession c -> sessionClosed(sid, waiting);
            default -> { }
        }
        if (waiting != null) {
            int err = t.txn() instanceof Txn.Error e ? e.err() : Err.OK;
            waiting.complete(h.zxid(), err, body, t.txn() instanceof Txn.CloseSession);
            drain(sid);
        }
        while (!localSyncs.isEmpty() && localSyncs.peekFirst().target() <= lastZxid) {
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
        mode = role.mode();
    }

    /** Stops answering clients (the server closes their connections); nothing waiting will be answered. */
    void stopServing() {
        link = null;
        mode = null;
        order.clear();
        localSyncs.clear();
        pendingConnects.clear();
        outstanding.clear();
    }

    /** Hands transactions to the log; {@code onDurable} runs on the log thread once they are on disk. */
    void persist(List<LoggedTxn> txns, Runnable onDurable) {
        issuedZxid = Math.max(issuedZxid, txns.getLast().zxid());
        log.submit(txns, onDurable);
    }
}
