package io.ensemble.storage;

import io.ensemble.config.ServerConfig;
import io.ensemble.config.StorageConfig;
import io.ensemble.server.EnsembleServer;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A real server and the Apache client: everything written survives a restart, sessions included. */
class ServerRestartTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int SESSION_TIMEOUT = 4000;

    @TempDir
    Path dataDir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception ignored) {
                // already closed
            }
        }
    }

    private EnsembleServer start(int port) throws Exception {
        EnsembleServer s = new EnsembleServer(ServerConfig.builder().clientPort(port).tickTime(200).dataDir(dataDir)
                .adminEnableServer(false).adminServerPort(0)
                .storage(StorageConfig.DEFAULTS.withSnapCount(50)).build());
        s.start();
        open.add(s);
        return s;
    }

    private ZooKeeper connect(EnsembleServer s) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper("127.0.0.1:" + s.clientPort(), SESSION_TIMEOUT, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        open.add(zk);
        assertThat(connected.await(30, TimeUnit.SECONDS)).isTrue();
        return zk;
    }

    /** Every node below "/" with its data and Stat, read through the client. */
    private static Map<String, String> readAll(ZooKeeper zk, String skipSubtree) throws Exception {
        Map<String, String> out = new TreeMap<>();
        walk(zk, "/", skipSubtree, out);
        return out;
    }

    private static void walk(ZooKeeper zk, String path, String skip, Map<String, String> out) throws Exception {
        if (path.equals(skip)) {
            return;
        }
        Stat stat = new Stat();
        byte[] data = zk.getData(path, false, stat);
        out.put(path, describe(data, stat));
        for (String child : zk.getChildren(path, false)) {
            walk(zk, path.equals("/") ? "/" + child : path + "/" + child, skip, out);
        }
    }

    private static String describe(byte[] data, Stat s) {
        return (data == null ? "<null>" : new String(data, StandardCharsets.ISO_8859_1)) + " czxid=" + s.getCzxid()
                + " mzxid=" + s.getMzxid() + " ctime=" + s.getCtime() + " mtime=" + s.getMtime() + " version="
                + s.getVersion() + " cversion=" + s.getCversion() + " aversion=" + s.getAversion() + " pzxid="
                + s.getPzxid() + " numChildren=" + s.getNumChildren() + " ephemeralOwner=" + s.getEphemeralOwner()
                + " dataLength=" + s.getDataLength();
    }

    private static long maxZxid(Map<String, String> nodes) {
        long max = 0;
        for (String d : nodes.values()) {
            for (String key : new String[] {"czxid=", "mzxid=", "pzxid="}) {
                int i = d.lastIndexOf(key);
                max = Math.max(max, Long.parseLong(d.substring(i + key.length()).split(" ")[0]));
            }
        }
        return max;
    }

    @Test
    void everythingSurvivesARestartIncludingWritesInFlightAtClose() throws Exception {
        EnsembleServer server = start(0);
        ZooKeeper zk = connect(server);
        zk.create("/p1", "top".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create("/p2", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        for (int i = 0; i < 60; i++) {
            String dir = "/p1/d" + i;
            zk.create(dir, ("dir" + i).getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            for (int j = 0; j < 4; j++) {
                zk.create(dir + "/n", j == 0 ? null : new byte[j], i % 3 == 0 ? ZooDefs.Ids.READ_ACL_UNSAFE
                        : ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
            }
            if (i % 4 == 0) {
                zk.setData(dir, ("changed" + i).getBytes(), -1);
                zk.delete(dir + "/n0000000001", -1);
            }
            if (i % 7 == 0) {
                zk.multi(List.of(Op.create(dir + "/multi", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT), Op.setData(dir, "m".getBytes(), -1), Op.check("/p1", -1)));
                zk.setACL(dir + "/multi", ZooDefs.Ids.READ_ACL_UNSAFE, -1);
            }
        }
        long ephemeralOwner = zk.getSessionId();
        zk.create("/p1/eph", "mine".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        // several snapshots and log rolls happened (snapCount 50)
        await().atMost(TIMEOUT).until(() -> StorageTestSupport.files(server.storage().snapDir(),
                LogFiles.SNAP_PREFIX).size() >= 3);
        assertThat(StorageTestSupport.files(server.storage().logDir(), LogFiles.LOG_PREFIX)).hasSizeGreaterThan(3);
        Map<String, String> before = readAll(zk, "/p2");
        assertThat(before).hasSizeGreaterThanOrEqualTo(300);

        // phase 2: asynchronous creates under /p2 while the server closes; every acknowledged one must survive
        Map<String, String> acked = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = Thread.ofPlatform().start(() -> {
            int i = 0;
            while (!stop.get() && i < 5000) {
                String path = "/p2/w" + i++;
                zk.create(path, path.getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                        (AsyncCallback.Create2Callback) (rc, p, ctx, name, stat) -> {
                            if (rc == 0) {
                                acked.put(name, describe(p.getBytes(), stat));
                            }
                        }, null);
            }
        });
        await().atMost(TIMEOUT).until(() -> acked.size() >= 100);
        int port = server.clientPort();
        server.close();
        stop.set(true);
        writer.join();
        long lastBefore = server.lastZxid();

        EnsembleServer restarted = start(port);
        assertThat(restarted.lastZxid()).isEqualTo(lastBefore);
        // the same client reconnects with its session id and password: the session is still valid
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> zk.exists("/p1", false) != null);
        assertThat(zk.getState()).isEqualTo(ZooKeeper.States.CONNECTED);
        assertThat(zk.getSessionId()).isEqualTo(ephemeralOwner);
        Stat eph = zk.exists("/p1/eph", false);
        assertThat(eph).isNotNull();
        assertThat(eph.getEphemeralOwner()).isEqualTo(ephemeralOwner);

        assertThat(readAll(zk, "/p2")).isEqualTo(before);
        for (Map.Entry<String, String> e : acked.entrySet()) {
            Stat stat = new Stat();
            byte[] data = zk.getData(e.getKey(), false, stat);
            assertThat(describe(data, stat)).as(e.getKey()).isEqualTo(e.getValue());
        }

        // the zxid continues above everything seen before the restart
        long oldMax = Math.max(maxZxid(before), lastBefore);
        Stat created = new Stat();
        zk.create("/after", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, created);
        assertThat(created.getCzxid()).isGreaterThan(oldMax);
        for (String v : acked.values()) {
            assertThat(created.getCzxid()).isGreaterThan(maxZxid(Map.of("x", v)));
        }
    }

    @Test
    void anOpenSessionCanResumeWithItsIdAndPasswordAfterARestart() throws Exception {
        EnsembleServer server = start(0);
        ZooKeeper first = connect(server);
        first.create("/eph", "x".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        long id = first.getSessionId();
        byte[] password = first.getSessionPasswd();
        server.close();

        EnsembleServer restarted = start(0);
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper resumed = new ZooKeeper("127.0.0.1:" + restarted.clientPort(), SESSION_TIMEOUT, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, id, password);
        open.add(resumed);
        assertThat(connected.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(resumed.getSessionId()).isEqualTo(id);
        assertThat(resumed.exists("/eph", false).getEphemeralOwner()).isEqualTo(id);

        // closing it now deletes the ephemeral, and that too survives a restart
        resumed.close();
        first.close(100);
        int port = restarted.clientPort();
        restarted.close();
        EnsembleServer third = start(port);
        ZooKeeper zk = connect(third);
        assertThat(zk.exists("/eph", false)).isNull();
    }

    @Test
    void aSessionThatIsNotResumedExpiresAfterARestart() throws Exception {
        EnsembleServer server = start(0);
        ZooKeeper first = connect(server);
        first.create("/gone", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        server.close();
        first.close(100);

        EnsembleServer restarted = start(0);
        ZooKeeper zk = connect(restarted);
        assertThat(zk.exists("/gone", false)).isNotNull();
        await().atMost(TIMEOUT).until(() -> zk.exists("/gone", false) == null);
        try {
            zk.delete("/gone", -1);
        } catch (KeeperException.NoNodeException expected) {
            // deleted by expiry
        }
    }
}
