package io.ensemble.bench;

import io.ensemble.testing.ServerJvm;
import io.ensemble.config.ServerConfig;
import io.ensemble.config.StorageConfig;
import io.ensemble.server.EnsembleServer;
import io.ensemble.storage.GroupCommitLog;
import io.ensemble.storage.Snapshotter;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Storage benchmark (not a test: surefire and failsafe skip it). Prints:
 * <ol>
 *     <li>group commit: writes/s, fsyncs/s and writes per fsync with 1, 8 and 32 concurrent async clients (each
 *     keeping 100 setData/create in flight) against an in-JVM server with forceSync=yes; the fsync and transaction
 *     counts come from {@link GroupCommitLog#fsyncCount()} / {@link GroupCommitLog#txnCount()} (mntr has no fsync
 *     counter);</li>
 *     <li>snapshot size and time ({@link Snapshotter#take()}) of a tree of 1,000,000 znodes of 100 bytes;</li>
 *     <li>restart time from that snapshot plus a log tail: a new in-JVM EnsembleServer (start() until a client is
 *     connected) and a cold server JVM ({@code io.ensemble.Main}, until it answers ruok).</li>
 * </ol>
 * Run: {@code ./mvnw -B -q -Pbench-storage test-compile exec:exec} (the bench-storage profile runs this class in a
 * JVM with -Xmx4g). Knobs (system properties, also settable on that command line): bench.seconds (10),
 * bench.clients (1,8,32), bench.outstanding (100), bench.nodes (1000000), bench.tail (100000), bench.dir
 * (java.io.tmpdir).
 */
public final class StorageBenchmark {
    private static final int SECONDS = Integer.getInteger("bench.seconds", 10);
    private static final int WARMUP_SECONDS = 2;
    private static final int OUTSTANDING = Integer.getInteger("bench.outstanding", 100);
    private static final int NODES = Integer.getInteger("bench.nodes", 1_000_000);
    private static final int TAIL = Integer.getInteger("bench.tail", 100_000);
    private static final int DATA_BYTES = 100;
    private static final int PER_MULTI = 100;
    private static final List<org.apache.zookeeper.data.ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;
    /** Strong references, or the JUL configuration below is garbage-collected. */
    private static final List<Logger> QUIET = new ArrayList<>();

    private final List<String> report = new ArrayList<>();

    private StorageBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        quiet("org.apache.zookeeper", Level.SEVERE);
        quiet("io.ensemble", Level.WARNING);
        quiet("io.ensemble.storage.DataDirs", Level.SEVERE);   // "dataDir is under /tmp" is expected here
        Path base = Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir")));
        Path root = Files.createTempDirectory(base, "ensemble-bench-");
        long started = System.nanoTime();
        StorageBenchmark bench = new StorageBenchmark();
        try {
            System.out.printf("Ensemble storage benchmark: Java %s, %d CPUs, max heap %d MB, data in %s%n",
                    Runtime.version(), Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20, root);
            bench.rawFsync(root.resolve("raw"));
            bench.groupCommit(root.resolve("group-commit"));
            bench.bigTree(root.resolve("big-tree"));
        } finally {
            BenchFiles.deleteRecursively(root);
        }
        System.out.println();
        bench.report.forEach(System.out::println);
        System.out.printf("%nTotal benchmark time: %.0f s%n", (System.nanoTime() - started) / 1e9);
        System.exit(0);
    }

    private static void quiet(String name, Level level) {
        Logger l = Logger.getLogger(name);
        l.setLevel(level);
        QUIET.add(l);
    }

    // --- context: the disk's own fsync latency -------------------------------------------------------------------

    private void rawFsync(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve("probe");
        int n = 200;
        ByteBuffer block = ByteBuffer.allocate(4096);
        long t0;
        long total;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(n * 4096), 0);   // preallocated, as the log is: fdatasync without size change
            ch.force(true);
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                block.clear();
                ch.write(block, (long) i * 4096);
                ch.force(false);
            }
            total = System.nanoTime() - t0;
        }
        double ms = total / 1e6 / n;
        System.out.printf("raw fsync of a 4 KB write: %.3f ms (%.0f fsyncs/s max for a serial writer)%n", ms,
                1000 / ms);
        report.add(String.format("Raw disk: 4 KB write + FileChannel.force(false): %.3f ms each (%,.0f/s)", ms,
                1000 / ms));
        report.add("");
    }

    // --- a) group commit ----------------------------------------------------------------------------------------

    private void groupCommit(Path dir) throws Exception {
        ServerConfig cfg = config(dir, new StorageConfig(100_000, true, 3, 0, 64L * 1024 * 1024));
        EnsembleServer server = new EnsembleServer(cfg);
        server.start();
        List<String> rows = new ArrayList<>();
        rows.add(String.format("%-8s %-12s %12s %12s %14s %10s %10s %10s", "clients", "outstanding", "writes/s",
                "fsyncs/s", "writes/fsync", "avg ms", "p50 ms", "p99 ms"));
        try (ZooKeeper admin = connect(server.clientPort())) {
            admin.create("/gc", new byte[0], OPEN, CreateMode.PERSISTENT);
            for (String s : System.getProperty("bench.clients", "1,8,32").split(",")) {
                int clients = Integer.parseInt(s.trim());
                rows.add(groupCommitRun(server, admin, clients));
            }
        } finally {
            server.close();
        }
        report.add("a) Group commit: in-JVM server, forceSync=yes, each client keeps " + OUTSTANDING
                + " async writes in flight (50% setData, 50% create of " + DATA_BYTES + "-byte nodes), "
                + SECONDS + " s measured after " + WARMUP_SECONDS + " s warm-up; globalOutstandingLimit 1000");
        report.addAll(rows);
        report.add("");
    }

    private String groupCommitRun(EnsembleServer server, ZooKeeper admin, int clients) throws Exception {
        String base = "/gc/run" + clients;
        admin.create(base, new byte[0], OPEN, CreateMode.PERSISTENT);
        List<Loader> loaders = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean measuring = new AtomicBoolean();
        for (int i = 0; i < clients; i++) {
            ZooKeeper zk = connect(server.clientPort());
            String dir = base + "/c" + i;
            List<Op> ops = new ArrayList<>();
            ops.add(Op.create(dir, new byte[0], OPEN, CreateMode.PERSISTENT));
            for (int k = 0; k < 100; k++) {
                ops.add(Op.create(dir + "/k" + k, new byte[DATA_BYTES], OPEN, CreateMode.PERSISTENT));
            }
            zk.multi(ops);
            loaders.add(new Loader(zk, dir, stop, measuring));
        }
        List<Thread> threads = loaders.stream().map(l -> Thread.ofPlatform().start(l)).toList();
        // A fixed measuring window is the point of a throughput benchmark.
        Thread.sleep(WARMUP_SECONDS * 1000L);
        GroupCommitLog log = server.storage().commitLog();
        long fsync0 = log.fsyncCount();
        long txn0 = log.txnCount();
        long acks0 = loaders.stream().mapToLong(l -> l.acks.get()).sum();
        long t0 = System.nanoTime();
        measuring.set(true);
        Thread.sleep(SECONDS * 1000L);
        measuring.set(false);
        long t1 = System.nanoTime();
        long fsyncs = log.fsyncCount() - fsync0;
        long txns = log.txnCount() - txn0;
        long acks = loaders.stream().mapToLong(l -> l.acks.get()).sum() - acks0;
        stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
        long[] lat = loaders.stream().flatMapToLong(l -> Arrays.stream(l.samples, 0, l.sampleCount)).sorted()
                .toArray();
        long errors = loaders.stream().mapToLong(l -> l.errors.get()).sum();
        for (Loader l : loaders) {
            l.zk.close(2000);
        }
        double secs = (t1 - t0) / 1e9;
        double avg = lat.length == 0 ? 0 : Arrays.stream(lat).average().orElse(0) / 1e6;
        String row = String.format(Locale.ROOT, "%-8d %-12d %,12.0f %,12.0f %14.1f %10.2f %10.2f %10.2f", clients,
                clients * OUTSTANDING, acks / secs, fsyncs / secs, fsyncs == 0 ? 0.0 : (double) txns / fsyncs, avg,
                pct(lat, 0.50), pct(lat, 0.99));
        System.out.println("group commit: " + row.trim().replaceAll(" +", " ") + (errors > 0 ? " (" + errors
                + " errors)" : ""));
        return row;
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
    }

    /** One client writing with a bounded number of async writes outstanding. */
    private static final class Loader implements Runnable {
        final ZooKeeper zk;
        final String dir;
        final AtomicBoolean stop;
        final AtomicBoolean measuring;
        final Semaphore window = new Semaphore(OUTSTANDING);
        final AtomicLong acks = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final long[] samples = new long[400_000];
        int sampleCount;
        long seq;

        Loader(ZooKeeper zk, String dir, AtomicBoolean stop, AtomicBoolean measuring) {
            this.zk = zk;
            this.dir = dir;
            this.stop = stop;
            this.measuring = measuring;
        }

        @Override
        public void run() {
            byte[] data = new byte[DATA_BYTES];
            try {
                while (!stop.get()) {
                    if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    long sent = System.nanoTime();
                    long n = seq++;
                    if ((n & 1) == 0) {
                        zk.setData(dir + "/k" + (n % 100), data, -1, (rc, p, ctx, stat) -> done(rc, sent), null);
                    } else {
                        zk.create(dir + "/n" + n, data, OPEN, CreateMode.PERSISTENT,
                                (rc, p, ctx, name) -> done(rc, sent), null);
                    }
                }
                window.tryAcquire(OUTSTANDING, 30, TimeUnit.SECONDS);   // drain what is in flight
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Runs on the client's event thread (one per client), so the sample array has a single writer. */
        private void done(int rc, long sent) {
            if (rc == 0) {
                acks.incrementAndGet();
                if (measuring.get() && sampleCount < samples.length) {
                    samples[sampleCount++] = System.nanoTime() - sent;
                }
            } else {
                errors.incrementAndGet();
            }
            window.release();
        }
    }

    // --- b) and c) a big tree: snapshot, restart ------------------------------------------------------------------

    private void bigTree(Path dir) throws Exception {
        // No automatic snapshots while loading: the one measured below is the only one.
        ServerConfig cfg = config(dir, new StorageConfig(1_000_000_000, false, 3, 0, 64L * 1024 * 1024));
        EnsembleServer server = new EnsembleServer(cfg);
        server.start();
        int parents = Math.max(1, NODES / 1000);
        int perParent = NODES / parents;
        long total = (long) parents * perParent;
        long loadStart = System.nanoTime();
        try (ZooKeeper admin = connect(server.clientPort())) {
            admin.create("/big", new byte[0], OPEN, CreateMode.PERSISTENT);
            List<Op> ops = new ArrayList<>();
            for (int p = 0; p < parents; p++) {
                ops.add(Op.create(parentPath(p), new byte[0], OPEN, CreateMode.PERSISTENT));
                if (ops.size() == PER_MULTI || p == parents - 1) {
                    admin.multi(ops);
                    ops = new ArrayList<>();
                }
            }
        }
        // Children in multis of 100 creates, from 4 clients with 8 multis in flight each.
        int clients = 4;
        List<ZooKeeper> zks = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            zks.add(connect(server.clientPort()));
        }
        long batches = (total + PER_MULTI - 1) / PER_MULTI;
        AtomicLong nextBatch = new AtomicLong();
        AtomicReference<String> failure = new AtomicReference<>();
        runClients(zks, 8, failure, (zk, release) -> {
            long b = nextBatch.getAndIncrement();
            if (b >= batches) {
                return false;
            }
            List<Op> ops = new ArrayList<>(PER_MULTI);
            for (long i = b * PER_MULTI; i < Math.min(total, (b + 1) * PER_MULTI); i++) {
                ops.add(Op.create(childPath((int) (i / perParent), (int) (i % perParent)), payload(i), OPEN,
                        CreateMode.PERSISTENT));
            }
            zk.multi(ops, (rc, path, ctx, results) -> release.accept(rc), null);
            return true;
        });
        double loadSecs = (System.nanoTime() - loadStart) / 1e9;
        check(failure);
        int nodeCount = nodeCount(server);
        System.out.printf("loaded %,d znodes in %.1f s (%,.0f creates/s, forceSync=no, multis of %d)%n", nodeCount,
                loadSecs, total / loadSecs, PER_MULTI);

        // c) snapshot of the whole tree, on this thread, while idle.
        System.gc();
        long snapStart = System.nanoTime();
        Snapshotter.Taken snap = server.storage().snapshotter().take();
        double snapSecs = (System.nanoTime() - snapStart) / 1e9;
        System.out.printf("snapshot %s: %,d bytes in %.2f s%n", snap.file().getFileName(), snap.bytes(), snapSecs);

        // A log tail after the snapshot, replayed at restart: setData over the tree.
        long tailStart = System.nanoTime();
        AtomicLong nextTail = new AtomicLong();
        runClients(zks, 100, failure, (zk, release) -> {
            long i = nextTail.getAndIncrement();
            if (i >= TAIL) {
                return false;
            }
            long node = (i * 7919) % total;
            zk.setData(childPath((int) (node / perParent), (int) (node % perParent)), payload(i + 1), -1,
                    (rc, path, ctx, stat) -> release.accept(rc), null);
            return true;
        });
        double tailSecs = (System.nanoTime() - tailStart) / 1e9;
        check(failure);
        for (ZooKeeper zk : zks) {
            zk.close(2000);
        }
        long lastZxid = server.lastZxid();
        server.close();
        long logBytes = sizeOf(dir.resolve("version-2"), "log.");
        System.out.printf("log tail: %,d setData in %.1f s; closed at zxid 0x%x%n", TAIL, tailSecs, lastZxid);
        server = null;
        System.gc();

        // b) restart in this JVM: start() replays snapshot + log; then a client connects.
        long heapBefore = usedHeap();
        long t0 = System.nanoTime();
        EnsembleServer restarted = new EnsembleServer(config(dir, cfg.storage()));
        restarted.start();
        long started = System.nanoTime();
        long recoveredZxid = restarted.lastZxid();
        int recovered;
        try (ZooKeeper zk = connect(restarted.clientPort())) {
            long connected = System.nanoTime();
            recovered = nodeCount(restarted);
            double startSecs = (started - t0) / 1e9;
            double connectSecs = (connected - t0) / 1e9;
            System.gc();
            long heapAfter = usedHeap();
            System.out.printf("in-JVM restart: start() %.2f s, client connected at %.2f s, %,d znodes, zxid 0x%x "
                    + "(was 0x%x)%n", startSecs, connectSecs, recovered, recoveredZxid, lastZxid);
            report.add("b) Restart with " + String.format("%,d", recovered) + " znodes of " + DATA_BYTES
                    + " bytes (snapshot + " + String.format("%,d", TAIL) + " logged setData after it)");
            report.add(String.format("   in-JVM EnsembleServer: start() %.2f s, first client connected %.2f s "
                            + "-> %,.0f znodes/s; heap held by the tree ~%,d MB", startSecs, connectSecs,
                    recovered / connectSecs, Math.max(0, heapAfter - heapBefore) >> 20));
            if (recoveredZxid != lastZxid) {
                report.add("   !! recovered zxid 0x" + Long.toHexString(recoveredZxid) + " != 0x"
                        + Long.toHexString(lastZxid) + " at close");
            }
        } finally {
            restarted.close();
        }
        restarted = null;
        System.gc();

        // b') the same restart as an operator sees it: a cold JVM running io.ensemble.Main on this dataDir.
        coldProcessRestart(dir, recovered);

        report.add("");
        report.add(String.format("c) Snapshot of %,d znodes (Snapshotter.take(), idle server): %,d bytes "
                        + "(%.1f MB, %.0f bytes/znode) in %.2f s (%,.0f znodes/s, %.0f MB/s)", nodeCount,
                snap.bytes(), snap.bytes() / 1e6, (double) snap.bytes() / nodeCount, snapSecs, nodeCount / snapSecs,
                snap.bytes() / 1e6 / snapSecs));
        report.add(String.format("   loading the tree (forceSync=no, multis of %d creates, 4 clients): %.1f s, "
                + "%,.0f creates/s; log tail %,d setData in %.1f s; log files %,d bytes (preallocated)", PER_MULTI, loadSecs,
                total / loadSecs, TAIL, tailSecs, logBytes));
    }

    private void coldProcessRestart(Path dir, int expectedNodes) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path cfg = dir.resolveSibling("zoo-cold.cfg");
        Files.writeString(cfg, String.join("\n", "tickTime=2000", "clientPort=" + port,
                "clientPortAddress=127.0.0.1", "dataDir=" + dir, "admin.enableServer=false", "forceSync=no",
                "snapCount=1000000000", "4lw.commands.whitelist=*", ""));
        Path out = dir.resolveSibling("cold-server.out");
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = List.of(java, "-Xmx4g", "-cp", System.getProperty("java.class.path"), "io.ensemble.Main",
                cfg.toString());
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        try {
            long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
            String answer = "";
            while (!"imok".equals(answer) && p.isAlive() && System.nanoTime() < deadline) {
                answer = ServerJvm.fourLetterWord(port, "ruok");
                if (!"imok".equals(answer)) {
                    Thread.sleep(20);   // polling the port of a starting process
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            if (!"imok".equals(answer)) {
                report.add("   cold JVM (io.ensemble.Main): did not answer ruok within 120 s; see " + out);
                return;
            }
            // The server's own account: when the JVM got going, when the snapshot was loaded, when recovery ended.
            List<String> milestones = Files.readAllLines(out).stream()
                    .filter(l -> l.contains("Effective configuration") || l.contains("Loaded snapshot")
                            || l.contains("Recovered ") || l.contains("serving clients"))
                    .map(StorageBenchmark::shortLogLine).toList();
            String nodes = "";
            for (String line : ServerJvm.fourLetterWord(port, "srvr").split("\n")) {
                if (line.startsWith("Node count:")) {
                    nodes = line.substring("Node count:".length()).trim();
                }
            }
            System.out.printf("cold JVM restart: imok after %.2f s, %s znodes%n", secs, nodes);
            milestones.forEach(m -> System.out.println("  " + m));
            report.add(String.format("   cold JVM (java -Xmx4g io.ensemble.Main zoo.cfg): ruok=imok after %.2f s "
                    + "(%s znodes -> %,.0f znodes/s, JVM start included); server log:", secs, nodes,
                    expectedNodes / secs));
            milestones.forEach(m -> report.add("     " + m));
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    /** "2026-01-01 12:00:00.123 INFO    [logger] message" to "12:00:00.123 message" (first line only). */
    private static String shortLogLine(String line) {
        int bracket = line.indexOf("] ");
        String time = line.length() > 23 && Character.isDigit(line.charAt(0)) ? line.substring(11, 23) + " " : "";
        String msg = bracket >= 0 ? line.substring(bracket + 2) : line;
        return time + (msg.length() > 200 ? msg.substring(0, 200) + "..." : msg);
    }

    private interface Issuer {
        /** Issues one async op whose callback must call release with its rc; false when there is no more work. */
        boolean issue(ZooKeeper zk, java.util.function.IntConsumer release) throws Exception;
    }

    /** Drives every client with at most {@code window} ops in flight each until the issuer runs dry. */
    private static void runClients(List<ZooKeeper> zks, int window, AtomicReference<String> failure, Issuer issuer)
            throws InterruptedException {
        CountDownLatch done = new CountDownLatch(zks.size());
        for (ZooKeeper zk : zks) {
            Thread.ofPlatform().start(() -> {
                Semaphore inFlight = new Semaphore(window);
                try {
                    while (failure.get() == null) {
                        inFlight.acquire();
                        boolean more = issuer.issue(zk, rc -> {
                            if (rc != 0) {
                                failure.compareAndSet(null, "an op failed: " + KeeperException.Code.get(rc));
                            }
                            inFlight.release();
                        });
                        if (!more) {
                            inFlight.release();
                            break;
                        }
                    }
                    if (!inFlight.tryAcquire(window, 120, TimeUnit.SECONDS)) {
                        failure.compareAndSet(null, "ops still in flight after 120 s");
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e.toString());
                } finally {
                    done.countDown();
                }
            });
        }
        if (!done.await(15, TimeUnit.MINUTES)) {
            failure.compareAndSet(null, "clients did not finish in 15 minutes");
        }
    }

    private static void check(AtomicReference<String> failure) {
        if (failure.get() != null) {
            throw new IllegalStateException(failure.get());
        }
    }

    private static String parentPath(int p) {
        return String.format(Locale.ROOT, "/big/p%04d", p);
    }

    private static String childPath(int p, int c) {
        return parentPath(p) + String.format(Locale.ROOT, "/n%06d", c);
    }

    private static byte[] payload(long i) {
        byte[] b = new byte[DATA_BYTES];
        byte[] head = Long.toString(i).getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(b, (byte) '.');
        System.arraycopy(head, 0, b, 0, head.length);
        return b;
    }

    private static ServerConfig config(Path dir, StorageConfig storage) {
        return ServerConfig.builder()
                .clientPort(0)
                .clientPortAddress("127.0.0.1")
                .tickTime(2000)
                .dataDir(dir)
                .dataLogDir(dir)
                .maxClientCnxns(0)
                .fourLetterWords(Set.of("*"))
                .adminEnableServer(false)
                .adminServerPort(0)
                .storage(storage)
                .build();
    }

    private static int nodeCount(EnsembleServer server) {
        for (String line : server.fourLetterWord("srvr").split("\n")) {
            if (line.startsWith("Node count:")) {
                return Integer.parseInt(line.substring("Node count:".length()).trim());
            }
        }
        return -1;
    }

    private static ZooKeeper connect(int port) throws IOException, InterruptedException {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper("127.0.0.1:" + port, 30_000, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(60, TimeUnit.SECONDS)) {
            zk.close();
            throw new IOException("no connection to port " + port + " within 60 s");
        }
        return zk;
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long sizeOf(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }
}
