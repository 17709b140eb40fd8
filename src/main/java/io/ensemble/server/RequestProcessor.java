package io.ensemble.server;

import io.ensemble.config.ServerConfig;
import io.ensemble.fault.WallClock;
import io.ensemble.session.Session;
import io.ensemble.session.SessionTracker;
import io.ensemble.storage.GroupCommitLog;
import io.ensemble.storage.ZxidProgress;
import io.ensemble.tree.DataTree;
import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.Txn;
import io.ensemble.txn.TxnHeader;
import io.ensemble.wire.Err;
import io.ensemble.wire.OpCode;
import io.ensemble.wire.Requests;
import io.ensemble.wire.Responses;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What orders everything: it takes work in arrival order, prepares each write into a transaction with the next
 * zxid, applies it, answers reads from the tree, and releases each batch's replies together. One batch at a time
 * means one global order with no locks on the tree; batching means one hand-off and (with durable storage) one fsync
 * per batch rather than per request. In an ensemble {@link ReplicatedRequests} takes the writes instead: they are
 * applied when the quorum commits them, in the same order.
 *
 * <p>Work that arrives while the processor is idle is handled at once on the thread that brought it; work that
 * arrives while it is busy is queued and handled in batches by the processor's own thread ({@link SerialBatches}).
 * "The processor thread" elsewhere means whichever thread is handling work now: only one is, and each sees
 * everything handled before.
 */
final class RequestProcessor implements Runnable, ZxidProgress {
    private static final Logger LOG = Logger.getLogger(RequestProcessor.class.getName());
    private static final int MAX_BATCH = 1000;

    private final SerialBatches<Work> work = new SerialBatches<>(MAX_BATCH, this::handleBatch);
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
    /** In an ensemble: writes are ordered by the leader and applied on commit; null standalone. */
    private final ReplicatedRequests ensemble;
    /** The last zxid handed out; written before its change is applied (see ZxidProgress). */
    private volatile long issuedZxid;
    /** The last zxid applied to the tree; a volatile write after each apply, so other threads see the tree. */
    private volatile long lastZxid;

    RequestProcessor(ServerConfig config, DataTree tree, SessionTracker sessions, ServerStats stats) {
        this.config = config;
        this.tree = tree;
        this.sessions = sessions;
        this.stats = stats;
        this.inFlight = new Semaphore(Math.max(1, config.globalOutstandingLimit()));
        this.preparer = new WritePreparer(tree, config);
        this.reads = new ReadHandler(tree);
        this.connects = new ConnectHandler(config, sessions, tree, this);
        this.ensemble = config.replicated() ? new ReplicatedRequests(this, config.serverId(), tree, sessions, preparer,
                connects, outbox)
                : null;
    }

    /** The ensemble side of this processor; null for a standalone server. */
    ReplicatedRequests ensemble() {
        return ensemble;
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

    /**
     * Handles work on this thread if the processor is idle, else queues it ({@link SerialBatches}); client requests
     * wait here while globalOutstandingLimit requests are in flight.
     */
    void submit(Work w) throws InterruptedException {
        if (w instanceof Work.Request) {
            inFlight.acquire();
            stats.queued();
        }
        work.submit(w);
    }

    /** Queues the server's own work, as {@link #submit}; never blocks, never counts against the client limit. */
    void submitInternal(Work w) {
        work.submit(w);
    }

    /** Queues work for the processor thread; never handles it on this thread (a report whose wait is bounded). */
    void enqueue(Work w) {
        work.enqueue(w);
    }

    /** No batch starts after this; a running one may take up to {@code millis} to end. */
    void stop(long millis) {
        work.stop(millis);
    }

    /** The processor thread: handles the batches that submitting threads leave queued. */
    @Override
    public void run() {
        work.runLoop();
    }

    private void handleBatch(List<Work> batch) {
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
        endBatch();
    }

    /**
     * Replies leave only after the log is durable up to their batch. A batch without writes may go out at once if
     * nothing is waiting on the log: every change it could have seen is already on disk.
     */
    private void endBatch() {
        Runnable release = outbox.detach();
        if (ensemble != null) {
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
            case Work.Connect c when ensemble != null && !ensemble.serving() -> turnAway(c.conn());
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
        if (ensemble != null && !ensemble.serving()) {
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
        if (ensemble != null) {
            ensemble.request(r, conn, session);
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
                    read(r, conn);
                }
            }
        }
    }

    void refuseUndecodable(Work.Request r, ClientConnection conn) {
        if (r.decodeError() == null) {
            unimplemented(r, conn);
        } else if (r.type() == OpCode.MULTI) {
            // ZooKeeper turns an undecodable multi into an error transaction: it still takes a zxid.
            TxnHeader hdr = commit(conn.session().id(), r.xid(), r.type(), new Txn.Error(Err.MARSHALLING_ERROR),
                    WallClock.millis());
            reply(r, conn, hdr.zxid(), Err.MARSHALLING_ERROR, null);
        } else {
            // As ZooKeeper: the request fails, the connection stays, and no zxid is taken.
            LOG.warning("Undecodable request of type " + r.type() + " from " + conn + ": " + r.decodeError());
            reply(r, conn, lastZxid, Err.MARSHALLING_ERROR, null);
        }
    }

    void unimplemented(Work.Request r, ClientConnection conn) {
        LOG.warning("Closing connection " + conn + ": unsupported request type " + r.type());
        outbox.sendAndClose(conn, new Reply(r.xid(), -1, Err.UNIMPLEMENTED, null));
    }

    void auth(Work.Request r, ClientConnection conn) {
        int err = AuthHandler.authenticate((Requests.Auth) r.body(), conn, config.superDigest());
        Reply reply = new Reply(Reply.AUTH_XID, 0, err, null);
        if (err == Err.OK) {
            outbox.send(conn, reply);
        } else {
            outbox.sendAndClose(conn, reply);
        }
    }

    private void write(Work.Request r, ClientConnection conn, Session session) {
        long time = WallClock.millis();
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
    Responses.MultiBody applyMulti(TxnHeader hdr, Txn.Multi multi, Work.Request r) {
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
    Responses.Body describe(int type, Txn txn) {
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
                WallClock.millis());
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
        if (ensemble != null) {
            ensemble.proposeWrite(sessionId, 0, OpCode.CLOSE_SESSION, null, List.of(),
                    ReplicatedRequests.SERVER); // applied on commit
            return;
        }
        commit(sessionId, 0, OpCode.CLOSE_SESSION, new Txn.CloseSession(), WallClock.millis());
        sessions.remove(sessionId);
        if (s.owner() instanceof ClientConnection owner) {
            owner.close();
        }
    }

    void reply(Work.Request r, ClientConnection conn, long zxid, int err, Responses.Body body) {
        outbox.send(conn, new Reply(r.xid(), zxid, err, body));
        long millis = (System.nanoTime() - r.receivedNanos()) / 1_000_000;
        stats.answered(OpCode.isWrite(r.type()), millis);
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

    /** Answers a read from the tree as it is now. */
    void read(Work.Request r, ClientConnection conn) {
        ReadHandler.Result res = reads.read(r.type(), r.body(), conn, outbox);
        reply(r, conn, lastZxid, res.err(), res.body());
    }

    /** Applies a reaper delete (deleteContainer, checked like a client's) with no session. */
    void deleteContainer(String path) {
        if (ensemble != null) {
            ensemble.proposeWrite(0, 0, OpCode.DELETE_CONTAINER, new Requests.PathOnly(path), List.of(),
                    ReplicatedRequests.SERVER);
            return;
        }
        Txn txn = preparer.prepare(OpCode.DELETE_CONTAINER, new Requests.PathOnly(path), null, List.of());
        if (!(txn instanceof Txn.Error)) {
            commit(0, 0, OpCode.DELETE_CONTAINER, txn, WallClock.millis());
        }
    }

    boolean replicated() {
        return ensemble != null;
    }

    /** Whether this server orders writes itself: standalone, or the leader of an ensemble. */
    boolean ordersWrites() {
        return ensemble == null || ensemble.leading();
    }

    /** "standalone", "leader", "follower", "observer", or null while a replicated server is not serving. */
    String mode() {
        return ensemble == null ? "standalone" : ensemble.mode();
    }

    private void turnAway(ClientConnection conn) {
        conn.handshakeRefused();
        conn.close();
    }

    private void disconnected(ClientConnection conn) {
        Session s = conn.session();
        if (ensemble != null && s != null) {
            ensemble.forget(s.id(), conn);
        }
        connects.disconnected(conn);
    }

    /** The tree now holds everything up to {@code zxid} (the ensemble side applies on commit). */
    void advanced(long zxid) {
        issuedZxid = Math.max(issuedZxid, zxid);
        lastZxid = zxid;
    }

    /** Hands transactions to the log; {@code onDurable} runs on the log thread once they are on disk. */
    void persist(List<LoggedTxn> txns, Runnable onDurable) {
        issuedZxid = Math.max(issuedZxid, txns.getLast().zxid());
        log.submit(txns, onDurable);
    }
}
