package io.ensemble.crash;

import io.ensemble.testing.ServerJvm;
import io.ensemble.testing.ServerProcess;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Crash consistency under {@code kill -9}: the packaged server runs as its own JVM with {@code forceSync=yes} and a
 * small {@code snapCount} (snapshots and log rolls happen during every round). Each round, {@value #CLIENTS} Apache
 * ZooKeeper clients write as fast as they can (setData, create, sequential create, delete and multi, at most
 * {@value #WINDOW} outstanding per client) and record every write the server acknowledged; after a random delay the
 * server is SIGKILLed and restarted on the same data directory, and the test checks:
 * <ul>
 *     <li>every acknowledged write is there (a write that was applied but never acknowledged may or may not be),
 *     and an unacknowledged multi is all-or-nothing;</li>
 *     <li>every znode's Stat is consistent: numChildren = getChildren size, czxid &lt;= mzxid &lt;= server zxid,
 *     pzxid covers each child's czxid, cversion agrees with the children;</li>
 *     <li>sequential counters are never reused: a new sequential node's suffix is the parent's creation count and
 *     above every suffix ever handed out;</li>
 *     <li>the zxid never goes backwards: the restarted server's zxid covers every acknowledged zxid, and a new
 *     write gets a zxid above every zxid seen before the kill.</li>
 * </ul>
 * {@code -Dcrash.seed=N} replays a run's kill delays and op mix; {@code -Dcrash.rounds=N} changes the rounds;
 * {@code -Densemble.jar=...} picks the server jar (default: {@code ensemble.jar} of this build directory).
 */
class KillNineCrashIT {
    private static final int ROUNDS = Integer.getInteger("crash.rounds", 4);
    private static final int CLIENTS = 8;
    private static final int KEYS_PER_CLIENT = 32;
    private static final int WINDOW = 32;
    private static final int SNAP_COUNT = 500;
    private static final int SESSION_TIMEOUT = 10_000;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final byte[] PAD = "-".repeat(48).getBytes(StandardCharsets.US_ASCII);
    private static final List<org.apache.zookeeper.data.ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;

    @TempDir
    Path tmp;

    private ServerProcess server;
    private final List<ZooKeeper> clients = new ArrayList<>();
    private final List<Thread> writerThreads = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    /** The highest zxid any acknowledged write reported. */
    private final AtomicLong maxAckedZxid = new AtomicLong();

    /** The client logs every refused reconnect with a stack trace at WARNING; keep the report readable. */
    private static final java.util.logging.Logger ZK_LOG = java.util.logging.Logger.getLogger("org.apache.zookeeper");
    private static java.util.logging.Level savedLevel;

    @BeforeAll
    static void quietClientLogs() {
        savedLevel = ZK_LOG.getLevel();
        ZK_LOG.setLevel(java.util.logging.Level.SEVERE);
    }

    @AfterAll
    static void restoreClientLogs() {
        ZK_LOG.setLevel(savedLevel);
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (ZooKeeper zk : clients) {
            zk.close(500);
        }
        clients.clear();
        for (Thread t : writerThreads) {
            t.interrupt();
            t.join(5_000);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void acknowledgedWritesSurviveKillMinus9() throws Exception {
        assumeTrue(System.getProperty("os.name", "").toLowerCase().contains("linux"),
                "kill -9 semantics of Process.destroyForcibly are only guaranteed on Linux");
        Path jar = ServerJvm.locateJar(getClass());
        assumeTrue(jar != null, "ensemble.jar is missing: run after `./mvnw package` (failsafe does)");
        long seed = Long.getLong("crash.seed", System.currentTimeMillis());
        Random random = new Random(seed);
        System.out.printf("KillNineCrashIT: seed %d (-Dcrash.seed=%d replays it), %d rounds, jar %s%n",
                seed, seed, ROUNDS, jar);

        Path dataDir = Files.createDirectories(tmp.resolve("data"));
        int port = ServerJvm.freePort();
        Path cfg = tmp.resolve("zoo.cfg");
        Files.writeString(cfg, String.join("\n",
                "tickTime=1000",
                "clientPort=" + port,
                "clientPortAddress=127.0.0.1",
                "dataDir=" + dataDir,
                "dataLogDir=" + dataDir,
                "admin.enableServer=false",
                "forceSync=yes",
                "snapCount=" + SNAP_COUNT,
                "preAllocSize=1024",
                "maxClientCnxns=0",
                "4lw.commands.whitelist=*",
                ""));
        server = new ServerProcess(jar, cfg, tmp.resolve("server.out"), port,
                List.of("-Xmx512m", "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true"));
        server.start();
        server.awaitServing();

        List<ClientModel> models = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            models.add(new ClientModel(c));
        }
        ZooKeeper setup = connect();
        setup.create("/crash", new byte[0], OPEN, CreateMode.PERSISTENT);
        for (ClientModel m : models) {
            List<Op> ops = new ArrayList<>();
            ops.add(Op.create(m.base, new byte[0], OPEN, CreateMode.PERSISTENT));
            ops.add(Op.create(m.base + "/s", new byte[0], OPEN, CreateMode.PERSISTENT));
            for (KeyState k : m.keys) {
                ops.add(Op.create(k.path, k.data, OPEN, CreateMode.PERSISTENT));
            }
            setup.multi(ops);
        }
        close(setup);

        for (int round = 1; round <= ROUNDS; round++) {
            runRound(round, random, models, dataDir);
        }
    }

    private void runRound(int round, Random random, List<ClientModel> models, Path dataDir) throws Exception {
        long roundStart = System.nanoTime();
        long zxidAtStart = server.zxid();
        AtomicBoolean stop = new AtomicBoolean();
        List<Writer> writers = new ArrayList<>();
        for (ClientModel m : models) {
            m.startRound(round);
            writers.add(new Writer(m, connect(), new Random(random.nextLong()), stop));
        }
        writers.forEach(w -> writerThreads.add(Thread.ofPlatform().name("writer-" + w.model.id).start(w)));
        // Make sure the kill lands in the middle of a write stream, not before it began.
        await("first acknowledged writes of round " + round).atMost(CONNECT_TIMEOUT)
                .until(() -> models.stream().mapToLong(ClientModel::ackedThisRound).sum() >= CLIENTS);
        int delay = 300 + random.nextInt(1201);
        // The one deliberate sleep: a randomized, fixed delay before kill -9 is the point of this test.
        Thread.sleep(delay);

        server.kill9();
        stop.set(true);
        for (Thread t : writerThreads) {
            t.join(10_000);
        }
        writerThreads.clear();
        // Close the writers' clients in parallel: each close waits for its send thread to give up reconnecting.
        List<Thread> closers = new ArrayList<>();
        for (Writer w : writers) {
            closers.add(Thread.ofVirtual().start(() -> {
                try {
                    w.zk.close(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            clients.remove(w.zk);
        }
        for (Thread t : closers) {
            t.join(10_000);
        }
        // Every outstanding op is failed by the client when its connection drops; wait for those callbacks.
        await("callbacks of the writers' outstanding ops").atMost(Duration.ofSeconds(15))
                .until(() -> writers.stream().allMatch(w -> w.window.availablePermits() == WINDOW));
        long acked = 0;
        long uncertain = 0;
        for (ClientModel m : models) {
            synchronized (m) {
                m.frozen = true;
                acked += m.ackedThisRound();
                uncertain += m.uncertain;
            }
        }
        long maxZxidBeforeKill = maxAckedZxid.get();

        long restartStart = System.nanoTime();
        server.start();
        server.awaitServing();
        long restartMillis = (System.nanoTime() - restartStart) / 1_000_000;
        String recoveredLine = server.lastLineContaining("Recovered ");
        ZooKeeper checker = connect();
        long connectMillis = (System.nanoTime() - restartStart) / 1_000_000;

        Map<String, NodeInfo> tree = walk(checker);
        long serverZxid = server.zxid();
        long maxZxidInTree = checkStats(tree, serverZxid);
        if (serverZxid < maxZxidBeforeKill) {
            violations.add(String.format("zxid went backwards: the restarted server is at 0x%x but a write was "
                    + "acknowledged with zxid 0x%x", serverZxid, maxZxidBeforeKill));
        }
        long verified = 0;
        for (ClientModel m : models) {
            verified += verify(m, checker, tree);
        }
        // A new write must get a zxid above everything seen before the kill (and everything in the tree).
        Stat marker = checker.setData("/crash", ("round " + round).getBytes(StandardCharsets.UTF_8), -1);
        long seenBefore = Math.max(Math.max(maxZxidBeforeKill, maxZxidInTree), zxidAtStart);
        if (marker.getMzxid() <= seenBefore) {
            violations.add(String.format("a write after restart got zxid 0x%x, not above 0x%x seen before",
                    marker.getMzxid(), seenBefore));
        }
        maxAckedZxid.accumulateAndGet(marker.getMzxid(), Math::max);
        close(checker);

        int snapshots;
        int logs;
        try (Stream<Path> files = Files.list(dataDir.resolve("version-2"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            snapshots = (int) names.stream().filter(n -> n.startsWith("snapshot.") && !n.endsWith(".tmp")).count();
            logs = (int) names.stream().filter(n -> n.startsWith("log.")).count();
        }
        System.out.printf("round %d: killed after %d ms of writes, %d acked writes (%d outcome unknown), "
                        + "restart to imok %d ms (client connected at %d ms), recovered %d znodes, %d acked "
                        + "items verified, zxid 0x%x -> 0x%x, %d snapshots / %d log files on disk, round %d ms%n",
                round, delay, acked, uncertain, restartMillis, connectMillis, tree.size(), verified,
                maxZxidBeforeKill, marker.getMzxid(), snapshots, logs,
                (System.nanoTime() - roundStart) / 1_000_000);
        System.out.println("  server: " + recoveredLine.substring(Math.max(0, recoveredLine.indexOf("Recovered "))));
        assertThat(violations).as("consistency violations after kill -9 in round %d (server log %s):\n%s", round,
                tmp.resolve("server.out"), server.tail(30)).isEmpty();
        assertThat(acked).as("acknowledged writes in round %d", round).isPositive();
        assertThat(restartMillis).as("restart time").isLessThan(60_000);
    }

    // --- verification ---------------------------------------------------------------------------------------

    private record NodeInfo(Stat stat, List<String> children) {
    }

    /** Reads every znode's Stat and children, level by level, with many reads in flight. */
    private Map<String, NodeInfo> walk(ZooKeeper zk) throws InterruptedException {
        Map<String, NodeInfo> tree = new ConcurrentHashMap<>();
        List<String> level = List.of("/");
        Semaphore window = new Semaphore(500);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!level.isEmpty()) {
            CountDownLatch done = new CountDownLatch(level.size());
            List<String> next = java.util.Collections.synchronizedList(new ArrayList<>());
            for (String path : level) {
                window.acquire();
                zk.getChildren(path, false, (rc, p, ctx, children, stat) -> {
                    try {
                        if (rc == KeeperException.Code.OK.intValue()) {
                            tree.put(p, new NodeInfo(stat, List.copyOf(children)));
                            for (String c : children) {
                                next.add(p.equals("/") ? "/" + c : p + "/" + c);
                            }
                        } else {
                            violations.add("getChildren " + p + " failed after restart: "
                                    + KeeperException.Code.get(rc));
                        }
                    } finally {
                        window.release();
                        done.countDown();
                    }
                }, null);
            }
            long left = deadline - System.nanoTime();
            assertThat(done.await(Math.max(1, left), TimeUnit.NANOSECONDS)).as("tree walk within 60 s").isTrue();
            level = new ArrayList<>(next);
        }
        return tree;
    }

    /** Stat consistency of every node; returns the highest zxid found in any Stat. */
    private long checkStats(Map<String, NodeInfo> tree, long serverZxid) {
        long max = 0;
        for (Map.Entry<String, NodeInfo> e : tree.entrySet()) {
            String path = e.getKey();
            Stat s = e.getValue().stat();
            List<String> children = e.getValue().children();
            max = Math.max(max, Math.max(s.getMzxid(), Math.max(s.getCzxid(), s.getPzxid())));
            if (s.getNumChildren() != children.size()) {
                violations.add(path + ": numChildren " + s.getNumChildren() + " but getChildren returned "
                        + children.size());
            }
            if (s.getCzxid() > s.getMzxid() || s.getMzxid() > serverZxid || s.getPzxid() > serverZxid) {
                violations.add(String.format("%s: czxid 0x%x, mzxid 0x%x, pzxid 0x%x against server zxid 0x%x",
                        path, s.getCzxid(), s.getMzxid(), s.getPzxid(), serverZxid));
            }
            if (s.getVersion() < 0 || s.getDataLength() < 0) {
                violations.add(path + ": version " + s.getVersion() + ", dataLength " + s.getDataLength());
            }
            if (!path.startsWith("/crash")) {
                continue;   // the built-in nodes (/, /zookeeper...) were made without counting their children
            }
            if (s.getPzxid() < s.getCzxid()) {
                violations.add(String.format("%s: pzxid 0x%x below czxid 0x%x", path, s.getPzxid(), s.getCzxid()));
            }
            // cversion counts creations + deletions; creations >= children present, and the two have equal parity.
            if (s.getCversion() < s.getNumChildren() || (s.getCversion() + s.getNumChildren()) % 2 != 0) {
                violations.add(path + ": cversion " + s.getCversion() + " with " + s.getNumChildren() + " children");
            }
            for (String c : children) {
                NodeInfo child = tree.get(path + "/" + c);
                if (child != null && child.stat().getCzxid() > s.getPzxid()) {
                    violations.add(String.format("%s: pzxid 0x%x below the czxid 0x%x of child %s", path,
                            s.getPzxid(), child.stat().getCzxid(), c));
                }
            }
        }
        return max;
    }

    /** Checks one client's acknowledged writes against the recovered tree, then adopts what is there. */
    private long verify(ClientModel m, ZooKeeper zk, Map<String, NodeInfo> tree) throws Exception {
        long verified = 0;
        Map<KeyState, byte[]> data = new HashMap<>();
        Map<KeyState, Stat> stats = new HashMap<>();
        for (KeyState k : m.keys) {
            Stat s = new Stat();
            try {
                data.put(k, zk.getData(k.path, false, s));
                stats.put(k, s);
            } catch (KeeperException.NoNodeException e) {
                violations.add(k.path + " is gone after restart (it was never deleted)");
            }
        }
        synchronized (m) {
            for (KeyState k : m.keys) {
                Stat s = stats.get(k);
                if (s == null) {
                    continue;
                }
                byte[] d = data.get(k);
                boolean acked = s.getVersion() == k.version && Arrays.equals(d, k.data);
                boolean pendingApplied = k.pendingData != null && s.getVersion() == k.version + 1
                        && Arrays.equals(d, k.pendingData);
                if (!acked && !pendingApplied) {
                    violations.add(String.format("%s: acknowledged version %d data '%s'%s, found version %d "
                                    + "data '%s'", k.path, k.version, text(k.data),
                            k.pendingData == null ? "" : " (unacknowledged '" + text(k.pendingData) + "')",
                            s.getVersion(), text(d)));
                }
                if (k.pendingMultiNode != null) {
                    boolean created = tree.containsKey(k.pendingMultiNode);
                    if (created != pendingApplied) {
                        violations.add("unacknowledged multi applied in part: setData of " + k.path + " "
                                + (pendingApplied ? "applied" : "not applied") + " but create of "
                                + k.pendingMultiNode + " " + (created ? "applied" : "not applied"));
                    }
                    if (created) {
                        m.live.add(k.pendingMultiNode);
                    }
                }
                verified++;
                k.version = s.getVersion();
                k.data = d;
                k.pendingData = null;
                k.pendingMultiNode = null;
                k.busy = false;
            }
            for (String p : m.live) {
                if (!tree.containsKey(p)) {
                    violations.add("acknowledged create of " + p + " is lost");
                }
                verified++;
            }
            for (String p : m.deletedAcked) {
                if (tree.containsKey(p)) {
                    violations.add("acknowledged delete of " + p + " is undone");
                }
                verified++;
            }
            for (String p : m.seqAcked) {
                if (!tree.containsKey(p)) {
                    violations.add("acknowledged sequential create of " + p + " is lost");
                }
                verified++;
            }
            for (String p : m.pendingCreates) {
                if (tree.containsKey(p)) {
                    m.live.add(p);
                }
            }
            for (String p : m.pendingDeletes) {
                if (tree.containsKey(p)) {
                    m.live.add(p);
                }
            }
            m.pendingCreates.clear();
            m.pendingDeletes.clear();
            m.deletedAcked.clear();
        }
        // Sequential counters: the next suffix is the parent's number of creations, above all handed out before.
        NodeInfo seqParent = tree.get(m.base + "/s");
        if (seqParent == null) {
            violations.add(m.base + "/s is gone after restart");
            return verified;
        }
        long creations = (seqParent.stat().getCversion() + seqParent.stat().getNumChildren()) / 2;
        long maxExisting = seqParent.children().stream().mapToLong(KillNineCrashIT::suffix).max().orElse(-1);
        String created = zk.create(m.base + "/s/q-", new byte[0], OPEN, CreateMode.PERSISTENT_SEQUENTIAL);
        long next = suffix(created.substring(created.lastIndexOf('/') + 1));
        synchronized (m) {
            if (next != creations || next <= maxExisting || next <= m.maxSeqSuffix) {
                violations.add(String.format("%s: new sequential suffix %d, expected %d (parent cversion %d, "
                                + "%d children, highest existing suffix %d, highest acknowledged %d)", m.base, next,
                        creations, seqParent.stat().getCversion(), seqParent.stat().getNumChildren(), maxExisting,
                        m.maxSeqSuffix));
            }
            m.maxSeqSuffix = Math.max(m.maxSeqSuffix, next);
            m.seqAcked.add(created);
        }
        return verified;
    }

    private static long suffix(String name) {
        return Long.parseLong(name.substring(name.length() - 10));
    }

    private static String text(byte[] b) {
        if (b == null) {
            return "null";
        }
        String s = new String(b, StandardCharsets.UTF_8);
        int dash = s.indexOf("--");
        return dash < 0 ? s : s.substring(0, dash);
    }

    // --- clients ---------------------------------------------------------------------------------------------

    private ZooKeeper connect() throws IOException {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(server.connectString(), SESSION_TIMEOUT, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        clients.add(zk);
        await("client connected to " + server.connectString()).atMost(CONNECT_TIMEOUT)
                .until(() -> connected.getCount() == 0 && zk.getState() == ZooKeeper.States.CONNECTED);
        return zk;
    }

    private void close(ZooKeeper zk) throws InterruptedException {
        zk.close(2_000);
        clients.remove(zk);
    }

    private static boolean uncertain(int rc) {
        return rc == KeeperException.Code.CONNECTIONLOSS.intValue()
                || rc == KeeperException.Code.SESSIONEXPIRED.intValue()
                || rc == KeeperException.Code.SESSIONMOVED.intValue()
                || rc == KeeperException.Code.OPERATIONTIMEOUT.intValue()
                || rc == KeeperException.Code.REQUESTTIMEOUT.intValue();
    }

    private static byte[] payload(String text) {
        byte[] head = text.getBytes(StandardCharsets.UTF_8);
        byte[] b = Arrays.copyOf(head, head.length + PAD.length);
        System.arraycopy(PAD, 0, b, head.length, PAD.length);
        return b;
    }

    /** One znode a client updates with conditional setData; at most one op on it is in flight. */
    private static final class KeyState {
        final String path;
        int version;
        byte[] data;
        boolean busy;
        /** Data of the in-flight (or unresolved) write; null when the last write was acknowledged. */
        byte[] pendingData;
        /** The node the same in-flight multi creates. */
        String pendingMultiNode;

        KeyState(String path) {
            this.path = path;
            this.data = payload(path + " v0");
        }
    }

    /** What one client knows the server acknowledged. Guarded by its own monitor. */
    private static final class ClientModel {
        final int id;
        final String base;
        final KeyState[] keys = new KeyState[KEYS_PER_CLIENT];
        /** Acknowledged created nodes not deleted since. */
        final List<String> live = new ArrayList<>();
        final Set<String> pendingCreates = new HashSet<>();
        final Set<String> pendingDeletes = new HashSet<>();
        final Set<String> deletedAcked = new HashSet<>();
        final List<String> seqAcked = new ArrayList<>();
        long maxSeqSuffix = -1;
        int round;
        int counter;
        boolean frozen;
        long ackedSet;
        long ackedMulti;
        long ackedCreate;
        long ackedSeq;
        long ackedDelete;
        long uncertain;

        ClientModel(int id) {
            this.id = id;
            this.base = "/crash/c" + id;
            for (int i = 0; i < keys.length; i++) {
                keys[i] = new KeyState(base + "/k" + i);
            }
        }

        synchronized void startRound(int r) {
            round = r;
            frozen = false;
            ackedSet = ackedMulti = ackedCreate = ackedSeq = ackedDelete = uncertain = 0;
        }

        synchronized long ackedThisRound() {
            return ackedSet + ackedMulti + ackedCreate + ackedSeq + ackedDelete;
        }

        /** A free key near a random index, marked busy; null if all are busy. */
        KeyState takeKey(Random r) {
            int start = r.nextInt(keys.length);
            for (int i = 0; i < keys.length; i++) {
                KeyState k = keys[(start + i) % keys.length];
                if (!k.busy) {
                    k.busy = true;
                    return k;
                }
            }
            return null;
        }

        String newNodeName(String kind) {
            return base + "/" + kind + "-" + round + "-" + (counter++);
        }
    }

    /** Issues async writes for one client while keeping at most WINDOW outstanding. */
    private final class Writer implements Runnable {
        final ClientModel model;
        final ZooKeeper zk;
        final Random random;
        final AtomicBoolean stop;
        final Semaphore window = new Semaphore(WINDOW);

        Writer(ClientModel model, ZooKeeper zk, Random random, AtomicBoolean stop) {
            this.model = model;
            this.zk = zk;
            this.random = random;
            this.stop = stop;
        }

        @Override
        public void run() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try {
                while (!stop.get() && zk.getState() == ZooKeeper.States.CONNECTED && System.nanoTime() < deadline) {
                    if (window.tryAcquire(20, TimeUnit.MILLISECONDS)) {
                        issue();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void issue() {
            int p = random.nextInt(100);
            synchronized (model) {
                if (p < 50) {
                    KeyState k = model.takeKey(random);
                    if (k != null) {
                        setData(k);
                        return;
                    }
                } else if (p < 65) {
                    KeyState k = model.takeKey(random);
                    if (k != null) {
                        multi(k);
                        return;
                    }
                } else if (p < 78) {
                    create();
                    return;
                } else if (p < 90 && !model.live.isEmpty()) {
                    delete();
                    return;
                }
                sequential();
            }
        }

        private void setData(KeyState k) {
            byte[] data = payload(k.path + " v" + (k.version + 1) + " r" + model.round);
            int expected = k.version;
            k.pendingData = data;
            zk.setData(k.path, data, expected, (rc, path, ctx, stat) -> {
                try {
                    synchronized (model) {
                        if (model.frozen) {
                            return;
                        }
                        if (rc == 0) {
                            if (stat.getVersion() != expected + 1) {
                                violations.add(path + ": setData of version " + expected + " acknowledged as "
                                        + stat.getVersion());
                            }
                            k.version = stat.getVersion();
                            k.data = data;
                            k.pendingData = null;
                            k.busy = false;
                            model.ackedSet++;
                            maxAckedZxid.accumulateAndGet(stat.getMzxid(), Math::max);
                        } else {
                            failed(rc, "setData " + path + " version " + expected);
                        }
                    }
                } finally {
                    window.release();
                }
            }, null);
        }

        private void multi(KeyState k) {
            byte[] data = payload(k.path + " v" + (k.version + 1) + " r" + model.round + " multi");
            int expected = k.version;
            String node = model.newNodeName("m");
            k.pendingData = data;
            k.pendingMultiNode = node;
            List<Op> ops = List.of(Op.setData(k.path, data, expected), Op.create(node, data, OPEN,
                    CreateMode.PERSISTENT));
            zk.multi(ops, (rc, path, ctx, results) -> {
                try {
                    synchronized (model) {
                        if (model.frozen) {
                            return;
                        }
                        if (rc == 0) {
                            Stat stat = ((OpResult.SetDataResult) results.get(0)).getStat();
                            if (stat.getVersion() != expected + 1) {
                                violations.add(k.path + ": multi setData of version " + expected
                                        + " acknowledged as " + stat.getVersion());
                            }
                            k.version = stat.getVersion();
                            k.data = data;
                            k.pendingData = null;
                            k.pendingMultiNode = null;
                            k.busy = false;
                            model.live.add(node);
                            model.ackedMulti++;
                            maxAckedZxid.accumulateAndGet(stat.getMzxid(), Math::max);
                        } else {
                            failed(rc, "multi setData " + k.path + " + create " + node + " " + results);
                        }
                    }
                } finally {
                    window.release();
                }
            }, null);
        }

        private void create() {
            String node = model.newNodeName("n");
            model.pendingCreates.add(node);
            zk.create(node, payload(node), OPEN, CreateMode.PERSISTENT, (AsyncCallback.Create2Callback)
                    (rc, path, ctx, name, stat) -> {
                        try {
                            synchronized (model) {
                                if (model.frozen) {
                                    return;
                                }
                                if (rc == 0) {
                                    if (stat.getCzxid() != stat.getMzxid() || stat.getVersion() != 0) {
                                        violations.add(node + ": create acknowledged with " + stat);
                                    }
                                    model.pendingCreates.remove(node);
                                    model.live.add(node);
                                    model.ackedCreate++;
                                    maxAckedZxid.accumulateAndGet(stat.getCzxid(), Math::max);
                                } else {
                                    failed(rc, "create " + node);
                                }
                            }
                        } finally {
                            window.release();
                        }
                    }, null);
        }

        private void delete() {
            int i = random.nextInt(model.live.size());
            List<String> live = model.live;
            String node = live.get(i);
            live.set(i, live.get(live.size() - 1));
            live.remove(live.size() - 1);
            model.pendingDeletes.add(node);
            zk.delete(node, -1, (rc, path, ctx) -> {
                try {
                    synchronized (model) {
                        if (model.frozen) {
                            return;
                        }
                        if (rc == 0) {
                            model.pendingDeletes.remove(node);
                            model.deletedAcked.add(node);
                            model.ackedDelete++;
                        } else {
                            failed(rc, "delete " + node);
                        }
                    }
                } finally {
                    window.release();
                }
            }, null);
        }

        private void sequential() {
            zk.create(model.base + "/s/q-", new byte[0], OPEN, CreateMode.PERSISTENT_SEQUENTIAL,
                    (AsyncCallback.Create2Callback) (rc, path, ctx, name, stat) -> {
                        try {
                            synchronized (model) {
                                if (model.frozen) {
                                    return;
                                }
                                if (rc == 0) {
                                    model.seqAcked.add(name);
                                    model.maxSeqSuffix = Math.max(model.maxSeqSuffix,
                                            suffix(name.substring(name.lastIndexOf('/') + 1)));
                                    model.ackedSeq++;
                                    maxAckedZxid.accumulateAndGet(stat.getCzxid(), Math::max);
                                } else {
                                    failed(rc, "sequential create under " + model.base + "/s");
                                }
                            }
                        } finally {
                            window.release();
                        }
                    }, null);
        }

        /** An op without an answer stays unresolved (checked after restart); any other error is a violation. */
        private void failed(int rc, String what) {
            if (uncertain(rc)) {
                model.uncertain++;
            } else {
                violations.add(what + " failed with " + KeeperException.Code.get(rc) + " before the kill");
            }
        }
    }
}
