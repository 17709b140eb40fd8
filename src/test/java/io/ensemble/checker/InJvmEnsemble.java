package io.ensemble.checker;

import io.ensemble.config.PeerSpec;
import io.ensemble.config.QuorumConfig;
import io.ensemble.config.ServerConfig;
import io.ensemble.quorum.peer.QuorumPeer;
import io.ensemble.server.EnsembleServer;
import io.ensemble.testing.ServerJvm;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/** A replicated ensemble of Ensemble servers in this JVM, for checking recorded histories against real replicas. */
final class InJvmEnsemble implements AutoCloseable {
    private static final int TICK_TIME = 200;

    private final List<EnsembleServer> servers = new ArrayList<>();
    private final List<QuorumPeer> peers = new ArrayList<>();

    private InJvmEnsemble() {
    }

    /** Starts {@code size} voters and returns once one leads and the others follow. */
    static InJvmEnsemble start(Path dataDir, int size) throws IOException {
        List<PeerSpec> specs = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            specs.add(new PeerSpec(id, "127.0.0.1", ServerJvm.freePort(), ServerJvm.freePort(), false, null,
                    ServerJvm.freePort()));
        }
        InJvmEnsemble ensemble = new InJvmEnsemble();
        try {
            for (PeerSpec self : specs) {
                EnsembleServer server = new EnsembleServer(ServerConfig.builder()
                        .clientPort(self.clientPort())
                        .tickTime(TICK_TIME)
                        .dataDir(dataDir.resolve("server" + self.id()))
                        .maxClientCnxns(60)
                        .adminEnableServer(false)
                        .adminServerPort(0)
                        .serverId(self.id())
                        .quorum(new QuorumConfig(self.id(), specs, 10, 5))
                        .build());
                server.start();
                ensemble.servers.add(server);
                QuorumPeer peer = new QuorumPeer(server);
                ensemble.peers.add(peer);
                peer.start();
            }
            await("one leader, every server serving").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(ensemble::serving);
        } catch (IOException | RuntimeException e) {
            ensemble.close();
            throw e;
        }
        return ensemble;
    }

    int size() {
        return servers.size();
    }

    /** The address of server {@code i} (0-based) alone, so that a client talks to that replica only. */
    String connectString(int i) {
        return "127.0.0.1:" + servers.get(i).clientPort();
    }

    private boolean serving() {
        return servers.stream().allMatch(EnsembleServer::isServing)
                && servers.stream().filter(s -> "leader".equals(s.mode())).count() == 1;
    }

    @Override
    public void close() {
        peers.forEach(QuorumPeer::close);
        servers.forEach(EnsembleServer::close);
    }
}
