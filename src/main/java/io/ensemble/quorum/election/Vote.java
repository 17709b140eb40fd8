package io.ensemble.quorum.election;

/**
 * A proposal for who should lead.
 *
 * @param leader        the proposed leader's server id ({@link #NO_LEADER} for an observer's own, empty vote)
 * @param zxid          the proposed leader's last logged zxid
 * @param electionEpoch the election round this vote was cast in (ZooKeeper's logical clock)
 * @param peerEpoch     the proposed leader's accepted epoch
 */
public record Vote(long leader, long zxid, long electionEpoch, long peerEpoch) {

    /** An observer proposes nobody: every voter's vote beats it (ZooKeeper uses Long.MIN_VALUE the same way). */
    public static final long NO_LEADER = Long.MIN_VALUE;

    /**
     * The total order of candidates: higher peerEpoch, then higher zxid, then higher server id. The election round
     * is not part of it; rounds are compared before candidates are.
     */
    public boolean beats(Vote other) {
        if (peerEpoch != other.peerEpoch) {
            return peerEpoch > other.peerEpoch;
        }
        if (zxid != other.zxid) {
            return zxid > other.zxid;
        }
        return leader > other.leader;
    }

    public Vote inRound(long round) {
        return new Vote(leader, zxid, round, peerEpoch);
    }

    /** Whether two votes name the same candidate in the same round (how LOOKING votes are counted). */
    public boolean sameAs(Vote other) {
        return leader == other.leader && zxid == other.zxid && electionEpoch == other.electionEpoch
                && peerEpoch == other.peerEpoch;
    }

    @Override
    public String toString() {
        if (leader == NO_LEADER) {
            return "(leader=none round=" + electionEpoch + ")";
        }
        return "(leader=" + leader + " zxid=0x" + Long.toHexString(zxid)
                + " round=" + electionEpoch + " epoch=" + peerEpoch + ")";
    }
}
