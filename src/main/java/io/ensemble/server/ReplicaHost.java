package io.ensemble.server;

import io.ensemble.session.SessionTracker;
import io.ensemble.storage.Storage;
import io.ensemble.tree.DataTree;
import io.ensemble.txn.LoggedTxn;
import io.ensemble.wire.Id;

import java.util.List;
import java.util.Map;

/**
 * The server as this server's replication driver sees it: the request processor, the tree, the sessions and the
 * log. Every method but {@link #execute} and {@link #drainTouches} must be called on the processor thread (through
 * {@link #execute}), which owns all of them.
 */
public final class ReplicaHost {
    private final EnsembleServer server;
    private final RequestProcessor processor;

    ReplicaHost(EnsembleServer server, RequestProcessor processor) {
        this.server = server;
        this.processor = processor;
    }

    /**
     * Runs {@code task} on the processor thread, in order with client requests; that is this thread, now, if the
     * processor is idle. Any thread.
     */
    public void execute(Runnable task) {
        processor.submitInternal(new Work.Replication(task));
    }

    public DataTree tree() {
        return server.tree();
    }

    public SessionTracker sessions() {
        return server.sessions();
    }

    /** The last zxid applied to the tree. */
    public long lastApplied() {
        return processor.lastZxid();
    }

    public Storage storage() {
        return server.storage();
    }

    public void applyCommitted(LoggedTxn txn) {
        processor.ensemble().applyCommitted(txn);
    }

    /** Appends to the transaction log; {@code onDurable} runs on the log thread once they are on disk. */
    public void persist(List<LoggedTxn> txns, Runnable onDurable) {
        processor.persist(txns, onDurable);
    }

    /** Leader: learner {@code from} forwarded a client's write. */
    public void prepareForwarded(long from, long sessionId, int cxid, int type, byte[] body, List<Id> auth) {
        processor.ensemble().prepareForwarded(from, sessionId, cxid, type, body, auth);
    }

    /** Leader: whether the session is alive; if so it counts as touched, and its client is now on {@code from}. */
    public boolean revalidate(long from, long sessionId) {
        return processor.ensemble().revalidate(from, sessionId);
    }

    /** Leader: sessions whose clients were active on a learner. */
    public void touchSessions(Map<Long, Integer> touched) {
        processor.ensemble().touchSessions(touched);
    }

    /** Learner: the leader's answer to a REVALIDATE. */
    public void revalidated(long sessionId, boolean valid) {
        processor.ensemble().revalidated(sessionId, valid);
    }

    /** Learner: the leader's answer to a SYNC. */
    public void syncDone(long sessionId, int cxid) {
        processor.ensemble().syncDone(sessionId, cxid);
    }

    /** Learner: the sessions its clients touched since the last call, for the next PING. Any thread. */
    public Map<Long, Integer> drainTouches() {
        return server.drainTouches();
    }

    /** Serve clients in this role: leader, follower or observer. */
    public void startServing(ReplicationLink role) {
        server.startServing(role);
    }

    /** Stop serving: every client connection is closed (clients move to another server). */
    public void stopServing() {
        server.stopServing();
    }

    /**
     * Closes the storage, runs {@code surgery} on the closed data directories (truncate the log, install a
     * snapshot), then reopens it and rebuilds the tree and sessions from disk.
     */
    public Storage.Recovered reloadStorage(StorageSurgery surgery) {
        return server.reloadStorage(surgery);
    }

    /** Work on the data directories while no log is open. */
    @FunctionalInterface
    public interface StorageSurgery {
        void run(java.nio.file.Path snapDir, java.nio.file.Path logDir) throws java.io.IOException;
    }
}
