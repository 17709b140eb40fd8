package io.ensemble.compat;

import io.ensemble.config.PeerSpec;
import io.ensemble.config.QuorumConfig;
import io.ensemble.config.ServerConfig;
import io.ensemble.quorum.peer.QuorumPeer;
import io.ensemble.server.EnsembleServer;
import io.ensemble.testing.ServerJvm;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;

/**
 * The server under test plus every client opened against it; {@link #close()} closes the clients first, then the
 * server(s). tickTime is 200 ms, so negotiated session timeouts lie in [400, 4000] ms.
 *
 * <p>Two modes, chosen by the system property {@value #ENSEMBLE_PROPERTY} (the pom's {@code compat-ensemble}
 * surefire execution sets it):
 * <ul>
 *   <li>standalone (default): one in-JVM server;</li>
 *   <li>ensemble: three in-JVM servers of one ensemble (leader election + ZAB over loopback), every server with the
 *       same settings, and every client connects to a FOLLOWER only, so that each write is forwarded to the leader
 *       and answered at commit time, and each reconnect revalidates the session through the leader.</li>
 * </ul>
 * Tests use {@link #port()} and {@link #connectString()} and do not care which mode runs; the few that must differ
 * use {@link #ENSEMBLE}, {@link #mode()}, {@link #zxid(long)} or {@link #peers()}.
 */
final class TestServer implements AutoCloseable {
    static final String ENSEMBLE_PROPERTY = "compat.ensemble";
    /** Whether this run checks a 3-server ensemble (clients on a follower) instead of a standalone server. */
    static final boolean ENSEMBLE = Boolean.getBoolean(ENSEMBLE_PROPERTY);
    static final int ENSEMBLE_SIZE = 3;
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final int TICK_TIME = 200;
    /** The largest session timeout the server grants (20 x tickTime); what every default client asks for. */
    static final int SESSION_TIMEOUT = 20 * TICK_TIME;
    /** digest id of "super:test". */
    static final String SUPER_DIGEST = "super:D/InIHSb7yEEbrWz8b9l71RjZJU=";

    /** One server; in ensemble mode also its quorum peer (null when standalone). */
    private static final class Member {
        final ServerConfig config;
        volatile EnsembleServer server;
        volatile QuorumPeer peer;

        Member(ServerConfig config) {
            this.config = config;
        }

        void start() throws IOException {
            EnsembleServer s = new EnsembleServer(config);
            s.start();
            server = s;
            if (config.replicated()) {
                QuorumPeer p = new QuorumPeer(s);
                try {
                    p.start();
                } catch (IOException | RuntimeException e) {
                    s.close();
                    throw e;
                }
                peer = p;
            }
        }

        void stop() {
            QuorumPeer p = peer;
            if (p != null) {
                p.close();
            }
            EnsembleServer s = server;
            if (s != null) {
                s.close();
            }
        }

        long id() {
            return config.serverId();
        }
    }

    private final List<Member> members;
    /** The server every client of this TestServer connects to: the only one standalone, a follower in an ensemble. */
    private volatile Member target;
    private final List<AutoCloseable> clients = new ArrayList<>();

    private TestServer(List<Member> members) {
        this.members = members;
    }

    /**
     * Restarts the server the clients use on the same ports and data directory (in an ensemble: that follower,
     * which rejoins the same leader) and returns once it serves again; clients stay open and reconnect on their own.
     */
    void restart() throws IOException {
        Member m = target;
        if (!ENSEMBLE) {
            ServerConfig old = m.server.config();
            int port = port();
            m.stop();
            // the first start may have asked for port 0: the restart binds the port it got
            Member next = new Member(rebuild(old).clientPort(port).build());
            next.start();
            members.set(members.indexOf(m), next);
            target = next;
            return;
        }
        m.stop();
        Member next = new Member(m.config);
        next.start();
        members.set(members.indexOf(m), next);
        target = next;
        awaitServing();
    }

    private static ServerConfig.Builder rebuild(ServerConfig old) {
        return ServerConfig.builder()
                .clientPort(old.clientPort())
                .tickTime(old.tickTime())
                .dataDir(old.dataDir())
                .dataLogDir(old.dataLogDir())
                .fourLetterWords(old.fourLetterWords())
                .extendedTypesEnabled(old.extendedTypesEnabled())
                .superDigest(old.superDigest())
                .containerCheckIntervalMs(old.containerCheckIntervalMs())
                .maxClientCnxns(old.maxClientCnxns())
                .minSessionTimeout(old.minSessionTimeout())
                .maxSessionTimeout(old.maxSessionTimeout())
                .adminEnableServer(false)
                .adminServerPort(0);
    }

    static TestServer start(Path dataDir) throws IOException {
        return start(dataDir, b -> { });
    }

    /** Starts the server(s); {@code customizer} applies to every server of an ensemble alike. */
    static TestServer start(Path dataDir, Consumer<ServerConfig.Builder> customizer) throws IOException {
        return ENSEMBLE ? startEnsemble(dataDir, customizer) : startStandalone(dataDir, customizer);
    }

    private static ServerConfig.Builder defaults(Path dataDir) {
        return ServerConfig.builder()
                .clientPort(0)
                .tickTime(TICK_TIME)
                .dataDir(dataDir)
                .fourLetterWords(Set.of("*"))
                .extendedTypesEnabled(true)
                .superDigest(SUPER_DIGEST)
                .containerCheckIntervalMs(100)
                .maxClientCnxns(60)
                // several servers may run in one JVM and the machine is shared: no fixed HTTP port
                .adminEnableServer(false)
                .adminServerPort(0);
    }

    private static TestServer startStandalone(Path dataDir, Consumer<ServerConfig.Builder> customizer)
            throws IOException {
        ServerConfig.Builder builder = defaults(dataDir);
        customizer.accept(builder);
        Member m = new Member(builder.build());
        m.start();
        TestServer ts = new TestServer(new ArrayList<>(List.of(m)));
        ts.target = m;
        return ts;
    }

    private static TestServer startEnsemble(Path dataDir, Consumer<ServerConfig.Builder> customizer)
            throws IOException {
        // The ports are picked free, then bound: on a busy machine another process may take one in between. Such a
        // start fails (a bind error, or a server that never serves); it is retried on new ports and directories.
        for (int attempt = 1; ; attempt++) {
            Path dir = attempt == 1 ? dataDir : dataDir.resolve("attempt-" + attempt);
            try {
                return startEnsembleOnce(dir, customizer);
            } catch (IOException | ConditionTimeoutException e) {
                if (attempt == 3) {
                    throw e;
                }
                System.err.println("compat: the in-JVM ensemble did not start (" + e + "); trying new ports");
            }
        }
    }

    private static TestServer startEnsembleOnce(Path dataDir, Consumer<ServerConfig.Builder> customizer)
            throws IOException {
        List<PeerSpec> peers = new ArrayList<>();
        for (int id = 1; id <= ENSEMBLE_SIZE; id++) {
            peers.add(new PeerSpec(id, "127.0.0.1", ServerJvm.freePort(), ServerJvm.freePort(), false, null,
                    ServerJvm.freePort()));
        }
        List<Member> members = new ArrayList<>();
        for (PeerSpec self : peers) {
            ServerConfig.Builder builder = defaults(dataDir.resolve("server" + self.id()));
            customizer.accept(builder);
            builder.clientPort(self.clientPort())
                    .serverId(self.id())
                    .quorum(new QuorumConfig(self.id(), peers, 10, 5));
            members.add(new Member(builder.build()));
        }
        TestServer ts = new TestServer(members);
        try {
            for (Member m : members) {
                m.start();
            }
            ts.awaitServing();
            ts.target = members.stream().filter(m -> "follower".equals(m.server.mode())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no follower in " + ts.describe()));
        } catch (IOException | RuntimeException e) {
            ts.stopServers();
            throw e;
        }
        return ts;
    }

    /** Waits until every server serves clients (an ensemble: one leader, the others following it, all in sync). */
    private void awaitServing() {
        try {
            await("every server serving").atMost(TIMEOUT).pollInterval(Duration.ofMillis(20))
                    .until(() -> members.stream().allMatch(m -> m.server.isServing())
                            && members.stream().filter(m -> "leader".equals(m.server.mode())).count() == 1);
        } catch (ConditionTimeoutException e) {
            throw new ConditionTimeoutException("not every server serves after " + TIMEOUT + ": " + describe());
        }
    }

    /** Each server's id and mode, e.g. [1=follower, 2=null, 3=leader]. */
    private String describe() {
        return members.stream().map(m -> m.id() + "=" + (m.server == null ? "not started" : m.server.mode()))
                .toList().toString();
    }

    /** The ensemble's server.N entries, in id order; empty when standalone. */
    List<PeerSpec> peers() {
        return members.get(0).config.replicated() ? members.get(0).config.quorum().peers() : List.of();
    }

    /** The server the clients use (a follower in ensemble mode). */
    EnsembleServer target() {
        return target.server;
    }

    /** What the clients' server reports as its mode in srvr/stat/mntr: "standalone" or "follower". */
    String mode() {
        return ENSEMBLE ? "follower" : "standalone";
    }

    /**
     * The zxid whose counter (low 32 bits) is {@code counter} in the current epoch: {@code counter} standalone (epoch
     * 0), {@code epoch << 32 | counter} in an ensemble, as ZooKeeper numbers them after an election.
     */
    long zxid(long counter) {
        if (!ENSEMBLE) {
            return counter;
        }
        long epoch = members.stream().mapToLong(m -> m.peer.status().epoch()).max().orElseThrow();
        return (epoch << 32) | counter;
    }

    int port() {
        return target.server.clientPort();
    }

    String connectString() {
        return "127.0.0.1:" + port();
    }

    /** A connected client with the default session timeout whose default watcher records into {@code log}. */
    ZooKeeper connect(EventLog log) throws IOException {
        return connect(connectString(), SESSION_TIMEOUT, log);
    }

    ZooKeeper connect() throws IOException {
        return connect(new EventLog());
    }

    /** Opens a client and waits for SyncConnected. The client is closed with the server. */
    ZooKeeper connect(String connectString, int sessionTimeout, EventLog log) throws IOException {
        ZooKeeper zk = new ZooKeeper(connectString, sessionTimeout, log);
        track(zk);
        awaitConnected(zk, log);
        return zk;
    }

    /** Opens a client that resumes an existing session; does NOT wait for anything. */
    ZooKeeper resume(long sessionId, byte[] passwd, EventLog log) throws IOException {
        ZooKeeper zk = new ZooKeeper(connectString(), SESSION_TIMEOUT, log, sessionId, passwd);
        track(zk);
        return zk;
    }

    static void awaitConnected(ZooKeeper zk, EventLog log) {
        await("SyncConnected of " + zk).atMost(TIMEOUT)
                .until(() -> log.hasState(Watcher.Event.KeeperState.SyncConnected)
                        && zk.getState() == ZooKeeper.States.CONNECTED);
    }

    CuratorFramework curator() throws InterruptedException {
        return curator(connectString(), SESSION_TIMEOUT);
    }

    CuratorFramework curator(String connectString, int sessionTimeout) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                // Curator's EnsembleTracker turns the membership in an ensemble's /zookeeper/config into a new
                // connect string, which may move the client off the follower under test
                .ensembleTracker(!ENSEMBLE)
                .sessionTimeoutMs(sessionTimeout)
                .connectionTimeoutMs((int) TIMEOUT.toMillis())
                .retryPolicy(new ExponentialBackoffRetry(100, 10, 1000))
                .build();
        track(client);
        client.start();
        if (!client.blockUntilConnected((int) TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("Curator did not connect to " + connectString);
        }
        return client;
    }

    synchronized <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            toClose = new ArrayList<>(clients);
            clients.clear();
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                AutoCloseable c = toClose.get(i);
                if (c instanceof ZooKeeper zk) {
                    zk.close(2_000);
                } else {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        stopServers();
    }

    /** Stops every server at once: one after the other would take a second each. */
    private void stopServers() {
        List<Thread> stopping = new ArrayList<>();
        for (Member m : members) {
            stopping.add(Thread.ofPlatform().name("stop-server-" + m.id()).start(m::stop));
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
