package io.ensemble.checker;

/** What the linearizability search demands of reads. */
public enum ReadConsistency {
    /**
     * ZooKeeper's guarantee: a server answers reads from its own, possibly lagging, copy. A read may return any state
     * that is not older than what its session already saw or wrote (by session order and by zxid) and not newer than
     * the read's own completion.
     */
    SEQUENTIAL,
    /** Reads are linearizable too (e.g. the clients only talk to the leader, or sync before every read). */
    LINEARIZABLE
}
