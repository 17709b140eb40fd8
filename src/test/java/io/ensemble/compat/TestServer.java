package io.ensemble.compat;

import io.ensemble.config.ServerConfig;
import io.ensemble.server.EnsembleServer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

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
 * One in-JVM Ensemble server plus every client opened against it; {@link #close()} closes the clients first, then
 * the server. tickTime is 200 ms, so negotiated session timeouts lie in [400, 4000] ms.
 */
final class TestServer implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final int TICK_TIME = 200;
    /** The largest session timeout the server grants (20 x tickTime); what every default client asks for. */
    static final int SESSION_TIMEOUT = 20 * TICK_TIME;
    /** digest id of "super:test". */
    static final String SUPER_DIGEST = "super:D/InIHSb7yEEbrWz8b9l71RjZJU=";

    private volatile EnsembleServer server;
    private final List<AutoCloseable> clients = new ArrayList<>();

    private TestServer(EnsembleServer server) {
        this.server = server;
    }

    /**
     * Stops the server and starts a new one on the same port and data directory; clients stay open and reconnect
     * on their own.
     */
    void restart() throws IOException {
        ServerConfig old = server.config();
        int port = port();
        server.close();
        ServerConfig.Builder b = ServerConfig.builder()
                .clientPort(port)
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
        EnsembleServer next = new EnsembleServer(b.build());
        next.start();
        server = next;
    }

    static TestServer start(Path dataDir) throws IOException {
        return start(dataDir, b -> { });
    }

    static TestServer start(Path dataDir, Consumer<ServerConfig.Builder> customizer) throws IOException {
        ServerConfig.Builder builder = ServerConfig.builder()
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
        customizer.accept(builder);
        EnsembleServer server = new EnsembleServer(builder.build());
        server.start();
        return new TestServer(server);
    }

    int port() {
        return server.clientPort();
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
        server.close();
    }
}
