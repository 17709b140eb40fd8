package io.ensemble.quorum.election;

import java.util.Objects;

/**
 * What one server tells another during election: its current vote and its state.
 *
 * @param sid the sender; on the wire it comes from the connection's handshake, not from the message body
 */
public record Notification(long leader, long zxid, long electionEpoch, ServerState state, long sid, long peerEpoch) {

    public Notification {
        Objects.requireNonNull(state, "state");
    }

    public static Notification of(Vote vote, ServerState state, long sid) {
        return new Notification(vote.leader(), vote.zxid(), vote.electionEpoch(), state, sid, vote.peerEpoch());
    }

    public Vote vote() {
        return new Vote(leader, zxid, electionEpoch, peerEpoch);
    }

    @Override
    public String toString() {
        return state + " " + vote() + " from " + sid;
    }
}
