package io.ensemble.config;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * The ensemble: every server.N, this server's id, and the ZAB time limits in ticks.
 *
 * @param initLimit ticks a learner has to connect and sync with the leader
 * @param syncLimit ticks a learner may be out of touch with the leader before it is dropped
 * @param listenOnAllIPs quorumListenOnAllIPs: bind the quorum and election ports on every address (the default: a
 *                       pod cannot resolve its own DNS name before it starts), or only on this server's server.N host
 */
public record QuorumConfig(long myId, List<PeerSpec> peers, int initLimit, int syncLimit, boolean listenOnAllIPs) {

    public QuorumConfig {
        peers = List.copyOf(peers);
    }

    /** Listening on all addresses. */
    public QuorumConfig(long myId, List<PeerSpec> peers, int initLimit, int syncLimit) {
        this(myId, peers, initLimit, syncLimit, true);
    }

    /** Where this server listens on {@code port} (its quorum or election port). */
    public InetSocketAddress listenAddress(int port) {
        return listenOnAllIPs ? new InetSocketAddress(port) : new InetSocketAddress(self().host(), port);
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

    /**
     * The membership as ZooKeeper prints it into /zookeeper/config: {@code server.N=host:quorumPort:electionPort:
     * participant|observer[;clientAddress:clientPort]} per server, then {@code version=0} (no reconfig).
     */
    public String membership() {
        StringBuilder sb = new StringBuilder();
        for (PeerSpec p : peers.stream().sorted(java.util.Comparator.comparingLong(PeerSpec::id)).toList()) {
            String h = p.host().contains(":") ? "[" + p.host() + "]" : p.host();
            sb.append("server.").append(p.id()).append('=').append(h).append(':').append(p.quorumPort()).append(':')
                    .append(p.electionPort()).append(':').append(p.observer() ? "observer" : "participant");
            if (p.clientPort() > 0) {
                sb.append(';').append(p.clientHost() == null ? "0.0.0.0" : p.clientHost()).append(':')
                        .append(p.clientPort());
            }
            sb.append('\n');
        }
        return sb.append("version=0").toString();
    }

    /** Votes needed for a majority of the voting members. */
    public int quorumSize() {
        return voters().size() / 2 + 1;
    }
}
