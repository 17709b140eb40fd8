package io.ensemble.fuzz;

import io.ensemble.testing.Clients;
import io.ensemble.testing.LatencyProbe;
import io.ensemble.testing.RawSession;
import io.ensemble.testing.ServerJvm;
import io.ensemble.testing.ServerProcess;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.ExistsRequest;
import org.apache.zookeeper.proto.GetDataRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile clients on the client port of a real server process (so that its memory can be read from /proc and
 * jcmd): connection floods past maxClientCnxns, slow-loris handshakes and requests, a client that never reads its
 * replies while its watches fire, invalid UTF-8 and very deep paths, vectors with huge counts, a request flood
 * against globalOutstandingLimit, 100,000 watches, and a transaction as large as jute.maxbuffer lets a client
 * send, across a kill -9. Throughout, a well-behaved session writes and reads; its latency is printed per case.
 *
 * <p>Each attacker comes from its own loopback address (127.0.0.x), so the per-IP limit (maxClientCnxns = 60)
 * applies to it and not to the well-behaved client on 127.0.0.1.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClientPortHostileIT {
    private static final int MAX_CNXNS = 60;
    private static final int JUTE_MAX = 0xfffff;
    private static final long STARTED = System.nanoTime();

    @TempDir
    static Path dir;
    static ServerProcess server;
    static int port;
    static ZooKeeper healthy;
    private static final AtomicInteger CONNECTIONS = new AtomicInteger();
    private static final AtomicInteger BAD_INPUTS = new AtomicInteger();
    private static final AtomicLong CHECKED = new AtomicLong();
    private static final AtomicInteger CASES = new AtomicInteger();
    private static final Map<String, String> FIGURES = new LinkedHashMap<>();

    private LatencyProbe probe;
    private long rssBefore;
    private long peakRss;
    private Thread rssWatch;

    @BeforeAll
    static void start() throws Exception {
        port = ServerJvm.freePort();
        Path cfg = dir.resolve("zoo.cfg");
        Files.writeString(cfg, "tickTime=200\nclientPortAddress=127.0.0.1\nclientPort=" + port + "\ndataDir="
                + dir.resolve("data") + "\nadmin.enableServer=false\n4lw.commands.whitelist=*\nsnapCount=1000\n"
                + "preAllocSize=1024\nmaxClientCnxns=" + MAX_CNXNS + "\n");
        Path jar = ServerJvm.locateJar(ClientPortHostileIT.class);
        assertThat(jar).as("ensemble.jar (mvn package)").isNotNull();
        server = new ServerProcess(jar, cfg, dir.resolve("server.out"), port, List.of("-Xmx256m"));
        server.start();
        server.awaitServing();
        healthy = Clients.connect(port, 4000);
        healthy.create("/healthy", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (healthy != null) {
            healthy.close();
        }
        if (server != null) {
            server.close();
        }
        FIGURES.forEach((k, v) -> System.out.println("client-port " + k + ": " + v));
        System.out.printf("RELIABILITY ClientPortHostileIT: hostile connections %d, bad inputs sent %d, "
                + "operations checked %d, cases %d, %.0f s%n", CONNECTIONS.get(), BAD_INPUTS.get(), CHECKED.get(),
                CASES.get(), (System.nanoTime() - STARTED) / 1e9);
    }

    /** The well-behaved session: a write and a read, back to back, for the whole case. */
    @BeforeEach
    void startProbe() {
        rssBefore = server.rssKb();
        peakRss = rssBefore;
        rssWatch = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peakRss = Math.max(peakRss, server.rssKb());
                try {
                    Thread.sleep(100); // the RSS sampling period, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        probe = LatencyProbe.start("healthy", i -> {
            healthy.setData("/healthy", Integer.toString(i).getBytes(), -1);
            healthy.getData("/healthy", false, null);
            CHECKED.addAndGet(2);
        });
    }

    /** The server is up, the session worked all along in reasonable time, and what the case cost is printed. */
    @AfterEach
    void checkProbe(TestInfo test) throws Exception {
        LatencyProbe.Figures f = probe.stop();
        rssWatch.interrupt();
        CASES.incrementAndGet();
        String name = test.getTestMethod().orElseThrow().getName();
        FIGURES.put(name, "well-behaved session " + f + "; RSS KiB before " + rssBefore + ", peak " + peakRss
                + ", live heap now " + server.heapUsedAfterGcKb() + " KiB, fds " + server.openFds());
        System.out.println("client-port " + name + ": " + FIGURES.get(name));
        assertThat(server.isAlive()).as("server alive").isTrue();
        assertThat(f.errors()).as("errors of the well-behaved session (%s)", f.lastError()).isZero();
        assertThat(f.ops()).as("operations of the well-behaved session").isPositive();
        assertThat(f.max()).as("slowest operation of the well-behaved session, ms").isLessThan(3000);
        assertThat(peakRss).as("peak RSS, KiB").isLessThan(600 * 1024);
    }

    @Test
    @Order(1)
    void tenThousandConnectionsBeyondMaxClientCnxnsAreTurnedAway() throws Exception {
        String from = "127.0.0.2";
        int fdsBefore = server.openFds();
        List<RawSession> held = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CNXNS; i++) {
                held.add(RawSession.connect(from, port, 4000));
                CONNECTIONS.incrementAndGet();
            }
            AtomicInteger refused = new AtomicInteger();
            AtomicLong slowest = new AtomicLong();
            long started = System.nanoTime();
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    work.add(pool.submit(() -> {
                        for (int i = 0; i < 1250; i++) {
                            long t0 = System.nanoTime();
                            try (RawSession extra = RawSession.open(from, port)) {
                                CONNECTIONS.incrementAndGet();
                                if (extra.closedByServer(5000)) {
                                    refused.incrementAndGet();
                                }
                            } catch (IOException e) {
                                refused.incrementAndGet(); // reset before the connect completed
                            }
                            slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                            if (i % 100 == 0) {
                                pingAll(held);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : work) {
                    f.get(120, TimeUnit.SECONDS);
                }
            }
            FIGURES.put("connection flood", String.format("10000 attempts beyond %d from one IP in %.1f s, %d "
                    + "turned away, slowest %.0f ms", MAX_CNXNS, (System.nanoTime() - started) / 1e9,
                    refused.get(), slowest.get() / 1e6));
            assertThat(refused.get()).as("connections beyond maxClientCnxns turned away").isEqualTo(10_000);
            pingAll(held);
            for (RawSession s : held) {
                assertThat(s.closedByServer(1)).as("a connection within the limit was closed").isFalse();
            }
        } finally {
            held.forEach(RawSession::close);
        }
        // The per-IP count went back down: that IP may connect again.
        await("a new connection from " + from + " is admitted").atMost(Duration.ofSeconds(10)).until(() -> {
            try (RawSession again = RawSession.connect(from, port, 4000)) {
                return again.sessionId() != 0;
            } catch (IOException e) {
                return false;
            }
        });
        await("file descriptors back").atMost(Duration.ofSeconds(20))
                .until(() -> server.openFds() <= fdsBefore + 10);
        CHECKED.addAndGet(10_000 + MAX_CNXNS);
    }

    private static void pingAll(List<RawSession> sessions) {
        synchronized (sessions) {
            for (RawSession s : sessions) {
                try {
                    s.request(-2, ZooDefs.OpCode.ping);
                } catch (IOException ignored) {
                    // the assertion on the held connections reports it
                }
            }
        }
    }

    @Test
    @Order(2)
    void slowLorisClientsAreCutOff() throws Exception {
        List<RawSession> loris = new ArrayList<>();
        // 20 trickle a real ConnectRequest, 20 claim a 1 MiB frame then trickle: neither may keep its connection
        // past the handshake deadline (10 s). 10 more trickle a request after a proper handshake: their session
        // expires (no complete packet, no ping) and takes the connection with it.
        for (int i = 0; i < 40; i++) {
            loris.add(RawSession.open("127.0.0.3", port));
        }
        for (int i = 0; i < 10; i++) {
            loris.add(RawSession.connect("127.0.0.4", port, 2000));
        }
        CONNECTIONS.addAndGet(loris.size());
        byte[] connect = ByteBuffer.allocate(4 + 45).putInt(45).array(); // a frame length, then a trickle
        byte[] huge = ByteBuffer.allocate(4).putInt(JUTE_MAX - 1).array();
        byte[] request = ByteBuffer.allocate(4).putInt(512 * 1024).array();
        long started = System.nanoTime();
        long[] closedAfter = new long[loris.size()];
        Thread trickle = Thread.ofPlatform().daemon().start(() -> {
            for (int second = 0; second < 60 && !Thread.currentThread().isInterrupted(); second++) {
                for (int i = 0; i < loris.size(); i++) {
                    byte[] lead = i < 20 ? connect : i < 40 ? huge : request;
                    byte b = second < 4 ? lead[second] : (byte) 1;
                    try {
                        loris.get(i).sendRaw(new byte[] {b});
                        BAD_INPUTS.incrementAndGet();
                    } catch (IOException e) {
                        // cut off: as it should be
                    }
                }
                try {
                    Thread.sleep(1000); // one byte per second is the attack itself, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            await("every slow-loris connection cut").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        boolean all = true;
                        for (int i = 0; i < loris.size(); i++) {
                            if (closedAfter[i] == 0 && loris.get(i).closedByServer(1)) {
                                closedAfter[i] = System.nanoTime() - started;
                            }
                            all &= closedAfter[i] != 0;
                        }
                        return all;
                    });
        } finally {
            trickle.interrupt();
            loris.forEach(RawSession::close);
        }
        long maxHandshake = 0;
        long maxRequest = 0;
        for (int i = 0; i < loris.size(); i++) {
            if (i < 40) {
                maxHandshake = Math.max(maxHandshake, closedAfter[i]);
            } else {
                maxRequest = Math.max(maxRequest, closedAfter[i]);
            }
        }
        FIGURES.put("slow loris", String.format("40 handshakes at 1 byte/s cut after at most %.1f s, 10 sessions "
                + "trickling a request cut after at most %.1f s", maxHandshake / 1e9, maxRequest / 1e9));
        assertThat(maxHandshake / 1e9).as("seconds until the last trickled handshake was cut").isLessThan(15);
        CHECKED.addAndGet(loris.size());
    }

    @Test
    @Order(3)
    void aClientThatNeverReadsIsCutOffNotBufferedWithoutLimit() throws Exception {
        byte[] big = new byte[512 * 1024];
        healthy.create("/big", big, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        healthy.create("/w", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        long heapBefore = server.heapUsedAfterGcKb();
        long cutsBefore = consoleLines("bytes of replies and events unsent");
        try (RawSession deaf = RawSession.connect("127.0.0.5", port, 4000)) {
            // Its receive buffer stays as connected: shrunk after the handshake (the window already offered), the
            // kernel drops what the server sends into it and the server retransmits with a backoff that grows
            // while the client does not read, until even the drain below takes minutes.
            CONNECTIONS.incrementAndGet();
            int watches = 2000;
            for (int i = 0; i < watches; i++) {
                deaf.requestBuffered(i + 1, ZooDefs.OpCode.exists, new ExistsRequest("/w/p-" + i, true));
            }
            deaf.flush();
            // Its watches fire while it does not read...
            List<CompletableFuture<Integer>> creates = new ArrayList<>();
            for (int i = 0; i < watches; i++) {
                CompletableFuture<Integer> done = new CompletableFuture<>();
                healthy.create("/w/p-" + i, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                        (rc, p, c, n) -> done.complete(rc), null);
                creates.add(done);
            }
            CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            // ... and it keeps asking for 512 KiB at a time: 1 GiB of replies it will never read.
            try {
                for (int i = 0; i < 2000; i++) {
                    deaf.requestBuffered(10_000 + i, ZooDefs.OpCode.getData, new GetDataRequest("/big", false));
                    BAD_INPUTS.incrementAndGet();
                }
                deaf.flush();
            } catch (IOException e) {
                // already cut off
            }
            // The cut first, then the close: reading to see the close would make this client a reader, and a
            // server that got ahead of it less far than the limit before that would rightly keep it.
            await("the server cuts the client that does not read").atMost(Duration.ofSeconds(30))
                    .until(() -> consoleLines("bytes of replies and events unsent") > cutsBefore);
            await("the server closes the connection it cut").atMost(Duration.ofSeconds(30))
                    .until(() -> deaf.closedByServer(100));
        }
        long heapAfter = server.heapUsedAfterGcKb();
        FIGURES.put("client that never reads", "cut off with " + consoleLine("bytes of replies and events unsent")
                .replaceAll(".*: (\\d+) bytes.*", "$1") + " bytes unsent; live heap KiB before " + heapBefore
                + ", after " + heapAfter);
        assertThat(heapAfter - heapBefore).as("live heap growth, KiB").isLessThan(32 * 1024);
        CHECKED.addAndGet(4000);
    }

    @Test
    @Order(4)
    void invalidUtf8PathsAreAnsweredAndDoNotHarmTheTree() throws Exception {
        byte[][] names = {
                {(byte) 0xC3, 0x28}, // truncated two-byte sequence
                {(byte) 0xFF, (byte) 0xFE}, // never valid
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a UTF-16 surrogate in CESU-8
                {(byte) 0xC0, (byte) 0xAF}, // overlong "/"
                {(byte) 0xE2, (byte) 0x82}, // cut three-byte sequence
                {0x00}, // NUL
        };
        Map<String, Integer> answers = new LinkedHashMap<>();
        try (RawSession raw = RawSession.connect("127.0.0.6", port, 4000)) {
            CONNECTIONS.incrementAndGet();
            int xid = 1;
            for (byte[] name : names) {
                byte[] path = RawSession.concat("/utf".getBytes(StandardCharsets.US_ASCII), name);
                raw.request(xid++, ZooDefs.OpCode.create, createBody(path));
                BAD_INPUTS.incrementAndGet();
                byte[] reply = raw.readFrame();
                answers.put(hex(name), RawSession.err(reply));
            }
        }
        FIGURES.put("invalid UTF-8 paths", "create answered " + answers + " (0 = created)");
        // Whatever was created must be an ordinary node: listed, readable and deletable by a normal client.
        for (String child : healthy.getChildren("/", false)) {
            if (child.startsWith("utf")) {
                healthy.getData("/" + child, false, null);
                healthy.delete("/" + child, -1);
            }
        }
        assertThat(answers.values()).allMatch(e -> e == 0 || e == KeeperException.Code.BADARGUMENTS.intValue()
                || e == KeeperException.Code.MARSHALLINGERROR.intValue());
        CHECKED.addAndGet(names.length);
    }

    @Test
    @Order(5)
    void aPathFiveThousandLevelsDeepIsServedAndSnapshotted() throws Exception {
        int depth = 5000;
        StringBuilder path = new StringBuilder("/deep");
        List<CompletableFuture<Integer>> creates = new ArrayList<>();
        creates.add(create(path.toString()));
        for (int i = 1; i < depth; i++) {
            path.append("/d");
            creates.add(create(path.toString()));
        }
        CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        assertThat(creates.stream().map(CompletableFuture::join).distinct().toList()).containsExactly(0);
        assertThat(healthy.exists(path.toString(), false)).isNotNull();
        // snapCount 1000: the chain was snapshotted on the way; the deepest node survives a restart (last case).
        FIGURES.put("deep path", depth + " levels, path of " + path.length() + " chars, created; snapshots so far "
                + snapshots());
        CHECKED.addAndGet(depth);
    }

    @Test
    @Order(6)
    void vectorsWithHugeCountsAreRejectedWithoutAllocating() throws Exception {
        Map<String, String> answers = new LinkedHashMap<>();
        int[] counts = {0x7fffffff, 0x10000000, -2};
        for (int count : counts) {
            try (RawSession raw = RawSession.connect("127.0.0.7", port, 4000)) {
                CONNECTIONS.incrementAndGet();
                // create: path, data, then an ACL vector claiming `count` entries and holding none
                raw.request(1, ZooDefs.OpCode.create, RawSession.concat(string("/vec"), ints(0), ints(count)));
                // setACL: path, ACL vector, version
                raw.request(2, ZooDefs.OpCode.setACL, RawSession.concat(string("/vec"), ints(count)));
                // setWatches: relative zxid, then three string vectors
                raw.request(3, ZooDefs.OpCode.setWatches, RawSession.concat(longs(0), ints(count)));
                // setWatches2: five string vectors
                raw.request(4, 105, RawSession.concat(longs(0), ints(0, 0, 0, 0, count)));
                // multi: a header that promises an op and then stops
                raw.request(5, ZooDefs.OpCode.multi, ints(ZooDefs.OpCode.create, 0, -1));
                BAD_INPUTS.addAndGet(5);
                StringBuilder got = new StringBuilder();
                for (int i = 0; i < 5; i++) {
                    try {
                        byte[] reply = raw.readFrame();
                        got.append(RawSession.xid(reply)).append('=').append(RawSession.err(reply)).append(' ');
                    } catch (IOException e) {
                        got.append("closed");
                        break;
                    }
                }
                answers.put(Integer.toHexString(count), got.toString().trim());
            }
        }
        FIGURES.put("huge vector counts", "answers (xid=err) per count " + answers);
        assertThat(healthy.exists("/vec", false)).isNull();
        CHECKED.addAndGet(15);
    }

    @Test
    @Order(7)
    void aRequestFloodIsHeldToGlobalOutstandingLimit() throws Exception {
        healthy.create("/flood", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        int clients = 4;
        int each = 15_000;
        AtomicInteger maxOutstanding = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                maxOutstanding.accumulateAndGet(mntr("outstanding_requests"), Math::max);
            }
        });
        AtomicInteger ok = new AtomicInteger();
        long started = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> work = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                RawSession raw = RawSession.connect("127.0.0.8", port, 4000);
                CONNECTIONS.incrementAndGet();
                work.add(pool.submit(() -> { // reads every reply
                    try (raw) {
                        for (int i = 0; i < each; i++) {
                            if (RawSession.err(raw.readFrame()) == 0) {
                                ok.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
                work.add(pool.submit(() -> { // sends without waiting for any
                    byte[] data = new byte[100];
                    for (int i = 0; i < each; i++) {
                        raw.requestBuffered(i + 1, ZooDefs.OpCode.create, new CreateRequest("/flood/c" + client
                                + "-" + i, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, 0));
                    }
                    raw.flush();
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            sampler.interrupt();
        }
        FIGURES.put("request flood", String.format("%d pipelined creates from %d connections in %.1f s, at most %d "
                + "outstanding (globalOutstandingLimit 1000)", clients * each, clients,
                (System.nanoTime() - started) / 1e9, maxOutstanding.get()));
        assertThat(ok.get()).isEqualTo(clients * each);
        assertThat(maxOutstanding.get()).as("outstanding requests").isLessThanOrEqualTo(1000);
        CHECKED.addAndGet(clients * each);
    }

    @Test
    @Order(8)
    void oneHundredThousandWatchesCostMemoryInProportionAndAllOfItComesBack() throws Exception {
        int watches = 100_000;
        long heapBefore = server.heapUsedAfterGcKb();
        long heapWith;
        try (ZooKeeper watcher = Clients.connect(port, 4000)) {
            CountDownLatch done = new CountDownLatch(watches);
            AsyncCallback.StatCallback cb = (rc, p, c, stat) -> done.countDown();
            for (int i = 0; i < watches; i++) {
                watcher.exists("/watched/p-" + i, true, cb, null);
            }
            assertThat(done.await(120, TimeUnit.SECONDS)).as("every exists answered").isTrue();
            assertThat(mntr("watch_count")).as("watches registered").isGreaterThanOrEqualTo(watches);
            heapWith = server.heapUsedAfterGcKb();
        }
        await("the watches go with the session").atMost(Duration.ofSeconds(20))
                .until(() -> mntr("watch_count") < 100);
        AtomicLong after = new AtomicLong();
        await("the live heap comes back").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    after.set(server.heapUsedAfterGcKb());
                    return after.get() - heapBefore < 16 * 1024;
                });
        long heapAfter = after.get();
        FIGURES.put("100k watches", String.format("live heap KiB before %d, with %d watches %d (%.0f bytes per "
                + "watch), after the session closed %d; there is no per-session watch limit (nor in ZooKeeper)",
                heapBefore, watches, heapWith, (heapWith - heapBefore) * 1024.0 / watches, heapAfter));
        assertThat(heapAfter - heapBefore).as("live heap left behind, KiB").isLessThan(16 * 1024);
        CHECKED.addAndGet(watches);
    }

    /**
     * Last: kills the server, so the well-behaved session is not asked to work through it. One multi as large as
     * jute.maxbuffer lets a client send, of plain creates; one of sequential creates with short names, whose
     * transaction is larger than the request (each name grows by its 10-digit suffix). Both were acknowledged, so
     * both must be there after kill -9.
     */
    @Test
    @Order(9)
    void transactionsAsLargeAsJuteMaxBufferAllowsSurviveKillNine() throws Exception {
        probe.stop();
        healthy.create("/m", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        healthy.create("/s", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        List<Op> plain = fill(i -> Op.create(String.format("/m/%07d", i), new byte[0],
                ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        List<Op> sequential = fill(i -> Op.create("/s/", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL));
        healthy.multi(plain);
        healthy.multi(sequential);
        // "auth" ACLs become one entry per id the session authenticated as: 2,000 small creates, 20 digest ids,
        // a transaction over twice jute.maxbuffer from a 100 KB request. Refused: logged, nothing could read it.
        String refused;
        try (ZooKeeper auth = Clients.connect(port, 4000)) {
            for (int i = 0; i < 20; i++) {
                auth.addAuthInfo("digest", ("user-" + i + ":secret").getBytes(StandardCharsets.UTF_8));
            }
            auth.create("/a", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            List<Op> expanding = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                expanding.add(Op.create(String.format("/a/%07d", i), new byte[0], ZooDefs.Ids.CREATOR_ALL_ACL,
                        CreateMode.PERSISTENT));
            }
            try {
                auth.multi(expanding);
                refused = "accepted";
            } catch (KeeperException e) {
                refused = e.code().toString();
            }
        }
        assertThat(refused).as("a multi whose transaction outgrows what the log reads back").isEqualTo(
                KeeperException.Code.BADARGUMENTS.toString());
        healthy.setData("/m", new byte[1], -1); // a transaction after them in the log
        CHECKED.addAndGet(plain.size() + sequential.size() + 1);
        healthy.close();
        server.kill9();
        server.start();
        server.awaitServing();
        healthy = Clients.connect(port, 4000);
        assertThat(healthy.getChildren("/m", false)).as("children of /m after kill -9").hasSize(plain.size());
        assertThat(healthy.getChildren("/s", false)).as("children of /s after kill -9").hasSize(sequential.size());
        assertThat(healthy.exists("/deep" + "/d".repeat(4999), false)).as("deepest node after kill -9")
                .isNotNull();
        assertThat(healthy.getChildren("/a", false)).as("children of /a (the refused multi)").isEmpty();
        FIGURES.put("jute.maxbuffer transactions", plain.size() + " plain and " + sequential.size()
                + " sequential creates, each multi just under jute.maxbuffer (" + JUTE_MAX + "), recovered after "
                + "kill -9; a multi expanding past twice jute.maxbuffer answered " + refused);
        probe = LatencyProbe.start("healthy", i -> healthy.getData("/m", false, null));
        await("the restarted server serves the well-behaved session").atMost(Duration.ofSeconds(10))
                .until(() -> probe.figures().ops() >= 10);
    }

    /** As many ops as fit in one request frame just under jute.maxbuffer. */
    private static List<Op> fill(java.util.function.IntFunction<Op> op) {
        int empty = RawSession.jute(new MultiOperationRecord(List.of())).length;
        int one = RawSession.jute(new MultiOperationRecord(List.of(op.apply(0)))).length - empty;
        int n = (JUTE_MAX - 8 - 200 - empty) / one; // the frame is RequestHeader (8 bytes) plus the record
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ops.add(op.apply(i));
        }
        return ops;
    }

    // ---- helpers ----

    private static CompletableFuture<Integer> create(String path) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        healthy.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                (rc, p, c, n) -> done.complete(rc), null);
        return done;
    }

    /** A CreateRequest body with raw path bytes (a record would encode the path as valid UTF-8). */
    private static byte[] createBody(byte[] path) {
        byte[] acl = RawSession.jute(new ACL(ZooDefs.Perms.ALL, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        return RawSession.concat(ints(path.length), path, ints(0), ints(1), acl, ints(0));
    }

    private static byte[] string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return RawSession.concat(ints(b.length), b);
    }

    private static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    private static byte[] longs(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }

    private static int mntr(String key) {
        for (String line : server.fourLetterWord("mntr").split("\n")) {
            if (line.startsWith("zk_" + key + "\t")) {
                return Integer.parseInt(line.substring(key.length() + 4).trim());
            }
        }
        return -1;
    }

    private static long consoleLines(String text) throws IOException {
        return Files.readAllLines(dir.resolve("server.out")).stream().filter(l -> l.contains(text)).count();
    }

    private static String consoleLine(String text) {
        return server.lastLineContaining(text);
    }

    private static long snapshots() throws IOException {
        try (var files = Files.list(dir.resolve("data").resolve("version-2"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("snapshot.")).count();
        }
    }
}
