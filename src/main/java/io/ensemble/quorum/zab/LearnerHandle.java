package io.ensemble.quorum.zab;

/** The leader's view of one connected learner (ZooKeeper keeps this in a LearnerHandler thread; here it is data). */
final class LearnerHandle {

    enum Phase {
        /** FOLLOWERINFO/OBSERVERINFO received; LEADERINFO sent once the epoch is chosen. */
        INFO,
        /** ACKEPOCH received; sync sent once a quorum has ACKed the epoch. */
        EPOCH_ACKED,
        /** DIFF/TRUNC/SNAP and NEWLEADER sent; from here on it receives the proposal stream. */
        SYNC_SENT,
        /** NEWLEADER ACKed; UPTODATE goes out once the leader is established. */
        NEWLEADER_ACKED,
        /** UPTODATE sent: serving. */
        UP_TO_DATE
    }

    final long sid;
    final boolean observer;
    Phase phase = Phase.INFO;
    long lastZxid;
    /** The leader's last zxid when this learner's sync was sent: what its NEWLEADER ACK makes durable. */
    long syncEnd = -1;
    int ticksSinceHeard;
    int ticksConnected;

    LearnerHandle(long sid, boolean observer, long lastZxid) {
        this.sid = sid;
        this.observer = observer;
        this.lastZxid = lastZxid;
    }

    boolean receivesStream() {
        return phase.compareTo(Phase.SYNC_SENT) >= 0;
    }

    boolean synced() {
        return phase.compareTo(Phase.NEWLEADER_ACKED) >= 0;
    }
}
