package io.ensemble.quorum.election;

/**
 * The outcome of an election on one server.
 *
 * @param role   LEADING, FOLLOWING or OBSERVING
 * @param leader the elected leader's id
 * @param vote   the vote the server settled on; its peerEpoch and zxid are the leader's at election time
 */
public record Decision(ServerState role, long leader, Vote vote) {

    public Decision {
        if (role == ServerState.LOOKING) {
            throw new IllegalArgumentException("a decision is not LOOKING");
        }
    }

    @Override
    public String toString() {
        return role + " leader=" + leader + " " + vote;
    }
}
