package io.ensemble.quorum.zab;

import io.ensemble.txn.LoggedTxn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One simulated server: what a real one keeps on disk (epochs, log with a durable prefix) and in memory (the tree,
 * modelled as the list of applied transactions), plus the core of its current role.
 */
final class SimServer {
    final long id;
    boolean up = true;
    long acceptedEpoch;
    long currentEpoch;
    final List<LoggedTxn> log = new ArrayList<>();
    /** How many log entries survive a crash. */
    int durableCount;
    /** The snapshot zxid the log starts after. */
    long base;
    List<LoggedTxn> tree = new ArrayList<>();
    LeaderCore leader;
    LearnerCore learner;
    SimConnection learnerConn;
    final Map<Long, SimConnection> leaderConns = new HashMap<>();
    boolean serving;

    SimServer(long id) {
        this.id = id;
    }

    long lastZxid() {
        return log.isEmpty() ? base : log.getLast().zxid();
    }

    boolean looking() {
        return up && leader == null && learner == null;
    }

    /** What the server hands a new core: its log made durable and replayed into the tree first (fast-forward). */
    PersistedState persisted(int window) {
        durableCount = log.size();
        tree = new ArrayList<>(log);
        int from = Math.max(0, log.size() - window);
        long windowBase = from == 0 ? base : log.get(from - 1).zxid();
        return new PersistedState(acceptedEpoch, currentEpoch, windowBase, log.subList(from, log.size()));
    }

    void truncate(long zxid) {
        log.removeIf(t -> t.zxid() > zxid);
        durableCount = Math.min(durableCount, log.size());
        tree = new ArrayList<>(log);
    }

    void loadSnapshot(List<LoggedTxn> snapshot, long zxid) {
        log.clear();
        log.addAll(snapshot);
        base = snapshot.isEmpty() ? zxid : 0;
        durableCount = log.size();
        tree = new ArrayList<>(snapshot);
    }

    void crash() {
        up = false;
        leader = null;
        learner = null;
        learnerConn = null;
        leaderConns.clear();
        serving = false;
        log.subList(durableCount, log.size()).clear();
        tree = new ArrayList<>();
    }

    void restart() {
        up = true;
        tree = new ArrayList<>(log);
    }

    @Override
    public String toString() {
        String role = leader != null ? "leader" : learner != null ? "learner" : up ? "looking" : "down";
        return id + ":" + role + (serving ? "+serving" : "") + " epochs=" + acceptedEpoch + "/" + currentEpoch
                + " last=" + Zxid.format(lastZxid()) + " durable=" + durableCount + "/" + log.size();
    }
}
