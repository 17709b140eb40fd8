package io.ensemble.quorum.election;

import io.ensemble.config.PeerSpec;
import io.ensemble.config.QuorumConfig;
import io.ensemble.quorum.election.tcp.TcpElectionTransport;
import io.ensemble.quorum.election.tcp.TransportOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Servers of one ensemble in this JVM, each with a real TCP election transport on a loopback port. Listeners are
 * bound (port 0) before the configuration is written, so no port is ever guessed.
 */
final class LoopbackEnsemble implements AutoCloseable {

    static final TransportOptions FAST = new TransportOptions(2000, 10, 200, 64 * 1024, 16);
    /** ZooKeeper's 200 ms settle wait, so that every vote is in before anyone decides, even on a busy machine. */
    static final ElectionTiming TIMING = new ElectionTiming(10, 20, 5, 50);

    final List<PeerSpec> peers = new ArrayList<>();
    final Map<Long, ServerSocket> listeners = new TreeMap<>();
    final Map<Long, LeaderElection> elections = new TreeMap<>();
    final Map<Long, TcpElectionTransport> transports = new TreeMap<>();

    /** Adds a server on a loopback port. */
    LoopbackEnsemble server(long id, boolean observer) {
        try {
            ServerSocket listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            listeners.put(id, listener);
            peers.add(new PeerSpec(id, "127.0.0.1", 1, listener.getLocalPort(), observer, null, 0));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds a configured server whose host name does not resolve (its pod does not exist yet). */
    LoopbackEnsemble unresolvable(long id, String host) {
        peers.add(new PeerSpec(id, host, 2888, 3888, false, null, 0));
        return this;
    }

    /** Starts the election driver of every server that has a listener. */
    LoopbackEnsemble startAll() {
        listeners.keySet().forEach(this::startServer);
        return this;
    }

    LeaderElection startServer(long id) {
        QuorumConfig config = new QuorumConfig(id, peers, 5, 2);
        TcpElectionTransport transport = new TcpElectionTransport(id, peers, listeners.get(id), FAST);
        LeaderElection election = new LeaderElection(config, TIMING, transport);
        transports.put(id, transport);
        elections.put(id, election);
        return election;
    }

    LeaderElection election(long id) {
        return elections.get(id);
    }

    int port(long id) {
        return listeners.get(id).getLocalPort();
    }

    /** Stops one server's election, closing its port: the others see its connections die. */
    void kill(long id) {
        elections.remove(id).close();
        transports.remove(id);
    }

    @Override
    public void close() {
        elections.values().forEach(LeaderElection::close);
        for (ServerSocket s : listeners.values()) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed by its transport
            }
        }
    }
}
