package io.ensemble.quorum.peer;

import io.ensemble.quorum.election.ServerState;
import io.ensemble.server.ElectionTimes;
import io.ensemble.server.QuorumFacts;
import io.ensemble.server.QuorumView;

import java.util.List;

/** What a {@link QuorumPeer} shows the server's reports: its state, its leader, and as leader its learners. */
final class PeerView implements QuorumView {
    private final QuorumPeer peer;
    private final int voters;

    PeerView(QuorumPeer peer, int voters) {
        this.peer = peer;
        this.voters = voters;
    }

    @Override
    public QuorumFacts facts() {
        QuorumPeer.Status s = peer.status();
        String state = switch (s.state()) {
            case LEADING -> "leader";
            case FOLLOWING -> "follower";
            case OBSERVING -> "observer";
            case LOOKING -> QuorumFacts.LOOKING;
        };
        String zab = s.state() == ServerState.LOOKING ? "ELECTION" : s.serving() ? "BROADCAST" : "SYNCHRONIZATION";
        if (s.state() == ServerState.LEADING && peer.role() instanceof LeaderRole leader) {
            return new QuorumFacts(state, s.leaderId(), zab, voters, leader.learners(), leader.syncedFollowers(),
                    leader.syncedObservers(), leader.pendingSyncs(), peer.elections());
        }
        return new QuorumFacts(state, s.leaderId(), zab, voters, 0, 0, List.of(), 0, peer.elections());
    }

    @Override
    public ElectionTimes elections() {
        return peer.elections();
    }
}
