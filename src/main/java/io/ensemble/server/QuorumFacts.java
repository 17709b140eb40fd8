package io.ensemble.server;

import java.util.List;

/**
 * What a server knows about its ensemble at one moment, for mntr, the admin commands and the metrics. The leader's
 * counts are 0 (and the list empty) on any other server, as ZooKeeper prints them on the leader only.
 *
 * @param state           "standalone", "leader", "follower", "observer" or "looking"
 * @param leaderId        the leader's server id; -1 standalone or while looking
 * @param zabState        ZooKeeper's ZabState: ELECTION while looking, SYNCHRONIZATION from the decision until
 *                        serving (discovery included), BROADCAST while serving; a standalone server says BROADCAST
 * @param voters          voting members of the ensemble (ZooKeeper's quorum_size); 1 standalone
 * @param learners        leader: connected followers and observers, synced or not
 * @param syncedFollowers leader: voting followers in sync with it
 * @param syncedObservers leader: ids of the observers in sync with it
 * @param pendingSyncs    leader: learners' sync() requests waiting for their commit
 * @param elections       how long this server's elections took
 */
public record QuorumFacts(String state, long leaderId, String zabState, int voters, int learners, int syncedFollowers,
                          List<Long> syncedObservers, int pendingSyncs, ElectionTimes elections) {
    public static final String STANDALONE = "standalone";
    public static final String LEADER = "leader";
    public static final String LOOKING = "looking";

    public QuorumFacts {
        syncedObservers = List.copyOf(syncedObservers);
    }

    public static QuorumFacts standalone() {
        return new QuorumFacts(STANDALONE, -1, "BROADCAST", 1, 0, 0, List.of(), 0, ElectionTimes.NONE);
    }

    /** A member of an ensemble (any state), not a standalone server. */
    public boolean replicated() {
        return !STANDALONE.equals(state);
    }

    public boolean leading() {
        return LEADER.equals(state);
    }

    /** ZooKeeper's detailed peer state, e.g. "leading - broadcast", "looking - election". */
    public String peerState() {
        String peer = switch (state) {
            case "leader" -> "leading";
            case "follower" -> "following";
            case "observer" -> "observing";
            default -> state;
        };
        return peer + " - " + zabState.toLowerCase(java.util.Locale.ROOT);
    }
}
