package io.ensemble.cluster;

import io.ensemble.testing.EnsembleCluster;
import io.ensemble.testing.OrderedHostProvider;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/** Client-side helpers shared by the cluster ITs: clients pinned to servers in a fixed order, sync, events. */
final class ClusterClients {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ClusterClients() {
    }

    /** A watcher that records every event. */
    static final class Events implements Watcher {
        private final List<WatchedEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void process(WatchedEvent event) {
            events.add(event);
        }

        List<WatchedEvent> all() {
            return List.copyOf(events);
        }

        /** Events about nodes (state changes are delivered to every watcher too, and are left out). */
        List<WatchedEvent> nodeEvents() {
            return events.stream().filter(e -> e.getType() != Event.EventType.None).toList();
        }

        boolean has(Event.KeeperState state) {
            return events.stream().anyMatch(e -> e.getType() == Event.EventType.None && e.getState() == state);
        }

        long count(Event.KeeperState state) {
            return events.stream().filter(e -> e.getType() == Event.EventType.None && e.getState() == state)
                    .count();
        }

        boolean has(Event.EventType type, String path) {
            return events.stream().anyMatch(e -> e.getType() == type && path.equals(e.getPath()));
        }

        void awaitState(Event.KeeperState state) {
            await("client state " + state).atMost(TIMEOUT).until(() -> has(state));
        }

        @Override
        public String toString() {
            return events.stream().map(e -> e.getType() + "/" + e.getState() + " " + e.getPath()).toList().toString();
        }
    }

    /** A client that tries the servers with these client ports in this order; returned once it has a session. */
    static ZooKeeper connectInOrder(List<Integer> ports, int sessionTimeoutMs, Events events)
            throws IOException, InterruptedException {
        ZooKeeper zk = new ZooKeeper(connectString(ports), sessionTimeoutMs, events, false,
                OrderedHostProvider.inOrder(ports));
        awaitConnected(zk, events);
        return zk;
    }

    /** A client that resumes an existing session on the servers with these client ports, in this order. */
    static ZooKeeper resume(List<Integer> ports, int sessionTimeoutMs, Events events, long sessionId,
                            byte[] password) throws IOException {
        return new ZooKeeper(connectString(ports), sessionTimeoutMs, events, sessionId, password, false,
                OrderedHostProvider.inOrder(ports));
    }

    private static void awaitConnected(ZooKeeper zk, Events events) throws InterruptedException {
        try {
            events.awaitState(Watcher.Event.KeeperState.SyncConnected);
        } catch (RuntimeException e) {
            zk.close();
            throw e;
        }
    }

    static String connectString(List<Integer> ports) {
        return String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
    }

    /** Client ports of the servers, in the order given. */
    static List<Integer> clientPorts(EnsembleCluster cluster, int... ids) {
        List<Integer> out = new ArrayList<>();
        for (int id : ids) {
            out.add(cluster.ports(id).client());
        }
        return out;
    }

    /** sync() then wait for it: afterwards the client's server has applied everything committed before. */
    static void sync(ZooKeeper zk, String path) throws Exception {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        zk.sync(path, (rc, p, ctx) -> done.complete(rc), null);
        int rc = done.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (rc != KeeperException.Code.OK.intValue()) {
            throw KeeperException.create(KeeperException.Code.get(rc), path);
        }
    }

    /** exists() after sync(), so the answer is as current as the leader's. */
    static Stat existsAfterSync(ZooKeeper zk, String path) throws Exception {
        sync(zk, "/");
        return zk.exists(path, false);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether server {@code id}'s {@code cons} lists a connection of session {@code sessionId}. */
    static boolean connectedTo(EnsembleCluster cluster, int id, long sessionId) {
        if (cluster.server(id) == null || !cluster.server(id).isAlive()) {
            return false;
        }
        return cluster.server(id).fourLetterWord("cons").contains("sid=0x" + Long.toHexString(sessionId) + ",");
    }

    /** Whether any transaction log file of server {@code id} holds these bytes (e.g. a path it logged). */
    static boolean logHolds(EnsembleCluster cluster, int id, String text) throws IOException {
        Path dir = cluster.dataDir(id).resolve("version-2");
        byte[] needle = bytes(text);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("log.")).toList()) {
                if (indexOf(Files.readAllBytes(f), needle) >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Whether server {@code id} answers clients (srvr has a Mode). */
    static boolean serving(EnsembleCluster cluster, int id) {
        return !cluster.mode(id).isEmpty();
    }
}
