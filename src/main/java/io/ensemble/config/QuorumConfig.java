package io.ensemble.config;

import java.util.List;
import java.util.Optional;

/**
 * The ensemble: every server.N, this server's id, and the ZAB time limits in ticks.
 *
 * @param initLimit ticks a learner has to connect and sync with the leader
 * @param syncLimit ticks a learner may be out of touch with the leader before it is dropped
 */
public record QuorumConfig(long myId, List<PeerSpec> peers, int initLimit, int syncLimit) {

    public QuorumConfig {
        peers = List.copyOf(peers);
    }

    public PeerSpec self() {
        return peer(myId).orElseThrow();
    }

    public Optional<PeerSpec> peer(long id) {
        return peers.stream().filter(p -> p.id() == id).findFirst();
    }

    public List<PeerSpec> voters() {
        return peers.stream().filter(p -> !p.observer()).toList();
    }

    /** Votes needed for a majority of the voting members. */
    public int quorumSize() {
        return voters().size() / 2 + 1;
    }
}
