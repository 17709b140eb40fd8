package io.ensemble.cluster;

import io.ensemble.testing.Clients;
import io.ensemble.testing.ConsolesOnFailure;
import io.ensemble.testing.EnsembleCluster;
import io.ensemble.testing.LatencyProbe;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.ensemble.cluster.ClusterClients.sync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Strangers on the peer ports of a running 3-server ensemble (the leader's quorum port, every election port):
 * random bytes, huge frame lengths, the right magic then junk, half a handshake then silence, thousands of
 * connections. Meanwhile a client writes without pause. The ensemble must keep its leader and epoch, the writes
 * must keep succeeding in bounded time, and no server's memory or file descriptors may run away.
 *
 * <p>jute.maxbuffer is 6 MiB here, above the quorum port's default 4 MiB frame, so the last test can check that a
 * write as large as the clients may send still crosses the quorum port.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PeerPortHostileIT {
    private static final int QUORUM_MAGIC = 0x454e5155; // "ENQU", io.ensemble.quorum.transport.QuorumHandshake
    private static final int ELECTION_MAGIC = 0x454e454c; // "ENEL", io.ensemble.quorum.election.tcp.Frames
    private static final int JUTE_MAX = 6 << 20;
    private static final long STARTED = System.nanoTime();

    @TempDir
    static Path dir;
    static EnsembleCluster cluster;
    private static final AtomicInteger CONNECTIONS = new AtomicInteger();
    private static final AtomicInteger BAD_INPUTS = new AtomicInteger();
    private static final AtomicInteger WRITES = new AtomicInteger();
    private static String figures = "";

    private final Random random = new Random(42);

    @RegisterExtension
    final ConsolesOnFailure consolesOnFailure = new ConsolesOnFailure(() -> cluster, 60);

    @BeforeAll
    static void start() throws Exception {
        cluster = EnsembleCluster.builder(dir).voters(3).set("jute.maxbuffer", Integer.toString(JUTE_MAX)).build();
        cluster.startAll();
        cluster.awaitServing(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        System.out.printf("RELIABILITY PeerPortHostileIT: hostile connections %d, bad inputs sent %d, "
                + "writes checked %d, %s, %.0f s%n", CONNECTIONS.get(), BAD_INPUTS.get(), WRITES.get(), figures,
                (System.nanoTime() - STARTED) / 1e9);
    }

    @Test
    @Order(1)
    void garbageOnThePeerPortsChangesNothing() throws Exception {
        int leader = cluster.leader();
        Map<Integer, String> modes = modes();
        try (ZooKeeper zk = Clients.connect(cluster.connectString(leader), 4000)) {
            zk.create("/hostile", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        long epoch = epoch(leader); // the epoch of the last zxid: one write in, it is the leader's
        Map<Integer, Long> heapBefore = heap();
        Map<Integer, Long> rssBefore = rss();
        Map<Integer, Integer> fdsBefore = fds();
        Map<Integer, Long> rssMax = new ConcurrentHashMap<>(rssBefore);
        List<String> roleChanges = new java.util.concurrent.CopyOnWriteArrayList<>();
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
        watch.scheduleAtFixedRate(() -> {
            rss().forEach((id, kb) -> rssMax.merge(id, kb, Math::max));
            Map<Integer, String> now = modes();
            if (!now.equals(modes)) {
                roleChanges.add(now.toString());
            }
        }, 0, 200, TimeUnit.MILLISECONDS);

        List<Integer> quorumPorts = List.of(cluster.ports(leader).quorum()); // only a leader listens there
        List<Integer> electionPorts = cluster.ids().stream().map(id -> cluster.ports(id).election()).toList();
        LatencyProbe.Figures writes;
        try (ZooKeeper zk = Clients.connect(cluster.connectString(leader), 4000)) {
            LatencyProbe probe = LatencyProbe.start("writer", i -> {
                zk.setData("/hostile", Integer.toString(i).getBytes(), -1);
                WRITES.incrementAndGet();
            });
            try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
                List<Future<?>> work = new ArrayList<>();
                for (int port : concat(quorumPorts, electionPorts)) {
                    int magic = quorumPorts.contains(port) ? QUORUM_MAGIC : ELECTION_MAGIC;
                    for (int i = 0; i < 100; i++) {
                        work.add(pool.submit(() -> sendAndClose(port, randomBytes(1 + random.nextInt(64 << 10)))));
                        work.add(pool.submit(() -> sendAndClose(port, ints(0x7fffffff, -1, 0x7fffffff),
                                randomBytes(32 << 10))));
                        work.add(pool.submit(() -> sendAndClose(port, ints(magic), randomBytes(4096))));
                    }
                    for (int i = 0; i < 20; i++) {
                        // the right magic, an id that is no member, then a frame "as large as it gets"
                        work.add(pool.submit(() -> sendAndClose(port, handshake(magic, 99), ints(0x7fffffff),
                                randomBytes(8192))));
                    }
                }
                // On the election ports, a member's id (not the port owner's), then a huge frame: that peer
                // connection is dropped and dialled again, which an established ensemble does not even need.
                for (int id : cluster.ids()) {
                    int peer = id == 3 ? 2 : 3;
                    for (int i = 0; i < 5; i++) {
                        work.add(pool.submit(() -> sendAndClose(cluster.ports(id).election(),
                                handshake(ELECTION_MAGIC, peer), ints(0x7fffffff), randomBytes(1024))));
                    }
                }
                for (Future<?> f : work) {
                    f.get(120, TimeUnit.SECONDS);
                }
            }
            // Half a handshake, then silence; and connections that never say anything: each must be cut (the
            // handshake timeout is 5 s), not held forever.
            List<Socket> silent = new ArrayList<>();
            for (int port : concat(quorumPorts, electionPorts)) {
                for (int i = 0; i < 150; i++) {
                    Socket s = connect(port);
                    if (i % 2 == 0) {
                        s.getOutputStream().write(new byte[] {0x45, 0x4e}); // 2 of the 4 magic bytes
                        BAD_INPUTS.incrementAndGet();
                    }
                    silent.add(s);
                }
            }
            await("the server closes every silent connection").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> silent.stream().allMatch(this::closedByPeer));
            silent.forEach(PeerPortHostileIT::closeQuietly);
            // Many connections opened and dropped at once.
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                List<Future<?>> work = new ArrayList<>();
                for (int port : concat(quorumPorts, electionPorts)) {
                    for (int t = 0; t < 8; t++) {
                        work.add(pool.submit(() -> {
                            for (int i = 0; i < 250; i++) {
                                closeQuietly(connectQuietly(port));
                            }
                        }));
                    }
                }
                for (Future<?> f : work) {
                    f.get(120, TimeUnit.SECONDS);
                }
            }
            writes = probe.stop();
        } finally {
            watch.shutdownNow();
        }
        await("file descriptors back to where they were").atMost(Duration.ofSeconds(30))
                .until(() -> cluster.ids().stream().allMatch(id -> fds().get(id) <= fdsBefore.get(id) + 20));

        Map<Integer, Long> heapAfter = heap();
        figures = "writer " + writes + ", RSS KiB before " + rssBefore + " max " + new TreeMap<>(rssMax)
                + ", live heap KiB before " + heapBefore + " after " + heapAfter + ", fds before " + fdsBefore
                + " after " + fds();
        System.out.println("peer-port garbage: " + figures);
        assertThat(roleChanges).as("role changes during the attack").isEmpty();
        assertThat(cluster.leader()).as("leader").isEqualTo(leader);
        for (int id : cluster.ids()) {
            assertThat(epoch(id)).as("epoch of server %d", id).isEqualTo(epoch);
        }
        assertThat(writes.errors()).as("failed writes (%s)", writes.lastError()).isZero();
        assertThat(writes.ops()).as("writes during the attack").isGreaterThan(50);
        assertThat(writes.max()).as("slowest write, ms").isLessThan(5000);
        for (int id : cluster.ids()) {
            // RSS may grow into the 256 MiB heap the JVM is allowed; what must not grow is what stays live.
            assertThat(rssMax.get(id)).as("peak RSS of server %d, KiB", id).isLessThan(512 * 1024);
            assertThat(heapAfter.get(id) - heapBefore.get(id)).as("live heap growth of server %d, KiB", id)
                    .isLessThan(16 * 1024);
        }
    }

    /**
     * The peer ports trust the handshake's id (as ZooKeeper's without quorum SASL): a stranger who names a follower
     * on the leader's quorum port replaces that follower's connection. The follower resyncs; the leader, which
     * keeps a quorum, stays. (With two followers named at once the leader would lose its quorum.)
     */
    @Test
    @Order(2)
    void aStrangerNamingAFollowerCostsThatFollowerOneResyncNotTheLeader() throws Exception {
        int leader = cluster.leader();
        long epoch = epoch(leader);
        int follower = cluster.ids().stream().filter(id -> id != leader).findFirst().orElseThrow();
        try (ZooKeeper zk = Clients.connect(cluster.connectString(leader), 4000)) {
            LatencyProbe probe = LatencyProbe.start("writer", i -> {
                zk.setData("/hostile", Integer.toString(i).getBytes(), -1);
                WRITES.incrementAndGet();
            });
            long leftBefore = linesWith(follower, "leaves follower");
            sendAndClose(cluster.ports(leader).quorum(), handshake(QUORUM_MAGIC, follower), new byte[] {0},
                    ints(0x7fffffff));
            long kicked = System.nanoTime();
            await("server " + follower + " loses its connection to the leader").atMost(Duration.ofSeconds(30))
                    .until(() -> linesWith(follower, "leaves follower") > leftBefore);
            await("server " + follower + " follows again").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20)).until(() -> "follower".equals(cluster.mode(follower)));
            LatencyProbe.Figures writes = probe.stop();
            System.out.printf("impersonation of follower %d: serving again after %.0f ms; writer %s%n", follower,
                    (System.nanoTime() - kicked) / 1e6, writes);
            assertThat(writes.errors()).as("failed writes (%s)", writes.lastError()).isZero();
        }
        assertThat(cluster.leader()).isEqualTo(leader);
        assertThat(epoch(leader)).isEqualTo(epoch);
    }

    /** A write as large as jute.maxbuffer lets a client send must reach every server over the quorum port. */
    @Test
    @Order(3)
    void aWriteAsLargeAsJuteMaxBufferAllowsReplicates() throws Exception {
        int leader = cluster.leader();
        byte[] big = randomBytes(5 << 20); // above the quorum port's 4 MiB default frame, below jute.maxbuffer
        try (ZooKeeper zk = Clients.connect(cluster.connectString(leader), 4000)) {
            zk.create("/big", big, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            WRITES.incrementAndGet();
        }
        for (int id : cluster.ids()) {
            try (ZooKeeper zk = Clients.connect(cluster.connectString(id), 4000)) {
                sync(zk, "/big");
                Stat stat = zk.exists("/big", false);
                assertThat(stat).as("/big on server %d", id).isNotNull();
                assertThat(stat.getDataLength()).as("size of /big on server %d", id).isEqualTo(big.length);
            }
        }
        assertThat(cluster.leader()).as("leader after the big write").isEqualTo(leader);
    }

    // ---- helpers ----

    private static List<Integer> concat(List<Integer> a, List<Integer> b) {
        List<Integer> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private Map<Integer, String> modes() {
        Map<Integer, String> out = new TreeMap<>();
        cluster.ids().forEach(id -> out.put(id, cluster.mode(id)));
        return out;
    }

    private static long epoch(int id) {
        return cluster.server(id).zxid() >>> 32;
    }

    private static Map<Integer, Long> rss() {
        Map<Integer, Long> out = new TreeMap<>();
        cluster.ids().forEach(id -> out.put(id, cluster.server(id).rssKb()));
        return out;
    }

    private static long linesWith(int id, String text) throws IOException {
        return java.nio.file.Files.readAllLines(cluster.console(id)).stream().filter(l -> l.contains(text)).count();
    }

    private static Map<Integer, Long> heap() {
        Map<Integer, Long> out = new TreeMap<>();
        cluster.ids().forEach(id -> out.put(id, cluster.server(id).heapUsedAfterGcKb()));
        return out;
    }

    private static Map<Integer, Integer> fds() {
        Map<Integer, Integer> out = new TreeMap<>();
        cluster.ids().forEach(id -> out.put(id, cluster.server(id).openFds()));
        return out;
    }

    /** Connects, writes the parts (as far as the server lets it) and closes. */
    private static void sendAndClose(int port, byte[]... parts) {
        try (Socket s = connect(port)) {
            for (byte[] p : parts) {
                s.getOutputStream().write(p);
            }
            s.getOutputStream().flush();
        } catch (IOException e) {
            // the server hung up on us mid-way: as it should
        }
        BAD_INPUTS.incrementAndGet();
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10);
        CONNECTIONS.incrementAndGet();
        return s;
    }

    private static Socket connectQuietly(int port) {
        try {
            return connect(port);
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether the server has closed its end (a read sees the end of the stream or a reset). */
    private boolean closedByPeer(Socket s) {
        try {
            InputStream in = s.getInputStream();
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static void closeQuietly(Socket s) {
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (IOException ignored) {
            // done with it either way
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        synchronized (random) {
            random.nextBytes(b);
        }
        return b;
    }

    private static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    /** A peer-port handshake: magic then a server id (the quorum port then expects an observer flag). */
    private static byte[] handshake(int magic, long sid) {
        return ByteBuffer.allocate(12).putInt(magic).putLong(sid).array();
    }
}
