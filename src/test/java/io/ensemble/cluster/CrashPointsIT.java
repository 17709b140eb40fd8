package io.ensemble.cluster;

import io.ensemble.fault.CrashPoints;
import io.ensemble.storage.Storage;
import io.ensemble.testing.Clients;
import io.ensemble.testing.ConsolesOnFailure;
import io.ensemble.testing.EnsembleCluster;
import io.ensemble.testing.LogAudit;
import io.ensemble.testing.TreeDigest;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.ensemble.cluster.ClusterClients.sync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every {@link CrashPoints crash point} of recovery and replication, one after the other on one real 3-server
 * ensemble: the server that reaches the point was started with {@code -Densemble.crashAt=<point>}, halts there on
 * its own (as kill -9: no hooks, no flush), and is started again without the flag. After each point the ensemble
 * must serve again with one history: every acknowledged write on every server, no write that only a truncated tail
 * held, the same tree (node by node, stats included) and the same last zxid everywhere, no ephemeral of a closed
 * session; at the end the stopped servers' logs must agree zxid by zxid.
 *
 * <p>Server 3 plays the leader points (it wins any election against one lower id with the same history); the lower
 * of the two followers plays the learner points. snapCount 4 makes logs roll every few transactions, so that an
 * isolated leader's lost tail spans files and a TRUNC has several files to delete.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashPointsIT {
    private static final int SESSION_TIMEOUT = 4000;
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration HALT_WITHIN = Duration.ofSeconds(30);
    private static final int LEADER_PLAYER = 3;
    private static final int MAX_ENTRY = Storage.maxEntryBytes(0xfffff);

    @TempDir
    static Path dir;
    static EnsembleCluster cluster;
    static final long STARTED = System.nanoTime();

    /** What the clients were told and what the test knows must (not) be there. */
    private static final Map<String, byte[]> ACKED = new ConcurrentSkipListMap<>();
    /** Written only to a tail that was truncated (or never logged): must never appear anywhere. */
    private static final Set<String> LOST = ConcurrentHashMap.newKeySet();
    /** Logged by a quorum (or applied somewhere) before the crash, acknowledged or not: must survive. */
    private static final Set<String> QUORUM_LOGGED = ConcurrentHashMap.newKeySet();
    /** Ephemerals of sessions that were closed: must be gone everywhere. */
    private static final Set<String> GONE = ConcurrentHashMap.newKeySet();
    private static final Set<String> REACHED = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger KILLS = new AtomicInteger();
    private static final AtomicInteger PAUSES = new AtomicInteger();
    private static final AtomicInteger RESTARTS = new AtomicInteger();
    private static final AtomicInteger UNKNOWN = new AtomicInteger();
    private static final AtomicInteger DIGESTS = new AtomicInteger();
    private static final AtomicInteger CHECKS = new AtomicInteger();
    private static int auditedZxids;

    @RegisterExtension
    final ConsolesOnFailure consolesOnFailure = new ConsolesOnFailure(() -> cluster, 80);

    @BeforeAll
    static void start() throws Exception {
        cluster = EnsembleCluster.builder(dir).voters(3).set("syncLimit", "15").set("snapCount", "4").build();
        cluster.startAll();
        cluster.awaitServing(START);
        try (ZooKeeper zk = Clients.connect(cluster.connectString(), SESSION_TIMEOUT)) {
            write(zk, "/crash");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
            for (int id : cluster.ids()) { // for the record: what the servers found worth a SEVERE line
                Files.readAllLines(cluster.console(id)).stream().filter(l -> l.contains("SEVERE"))
                        .forEach(l -> System.out.println("server " + id + ": " + l));
            }
        }
        System.out.printf("RELIABILITY CrashPointsIT: crash points reached %d/12 %s, kill -9 %d, SIGSTOP %d, "
                        + "restarts %d, acknowledged writes checked %d, lost writes checked absent %d, quorum-logged "
                        + "writes checked %d, closed-session ephemerals checked %d, writes with unknown outcome %d, "
                        + "replica digests compared %d, logged zxids cross-checked %d, %.0f s%n",
                REACHED.size(), new java.util.TreeSet<>(REACHED), KILLS.get(), PAUSES.get(), RESTARTS.get(),
                ACKED.size(), LOST.size(), QUORUM_LOGGED.size(), GONE.size(), UNKNOWN.get(), DIGESTS.get(),
                auditedZxids, (System.nanoTime() - STARTED) / 1e9);
    }

    // ---- learner points ----

    @Test
    @Order(1)
    void followerHaltsAfterLoggingAProposalBeforeItsAck() throws Exception {
        String base = base(CrashPoints.FOLLOWER_PROPOSAL_LOGGED);
        int x = lowerFollower();
        startWith(x, CrashPoints.FOLLOWER_PROPOSAL_LOGGED);
        cluster.awaitServing(START);
        try (ZooKeeper zk = Clients.connect(cluster.connectString(cluster.leader()), SESSION_TIMEOUT)) {
            ZooKeeper open = ephemerals(base);
            // The follower logs it and dies before its ACK; the leader and the other follower commit it.
            assertThat(write(zk, base + "/w1")).as("write with one follower dying").isTrue();
            awaitHalt(x, CrashPoints.FOLLOWER_PROPOSAL_LOGGED);
            write(zk, base + "/w2");
            restart(x);
            closeEphemeralSession(open, base);
        }
        checkRecovered(base);
    }

    @Test
    @Order(2)
    void learnerHaltsOnNewLeaderBeforeItsSyncIsDurable() throws Exception {
        learnerBehindRejoins(CrashPoints.LEARNER_NEWLEADER_RECEIVED);
    }

    @Test
    @Order(3)
    void learnerHaltsRightAfterAckingNewLeader() throws Exception {
        learnerBehindRejoins(CrashPoints.LEARNER_NEWLEADER_ACKED);
    }

    /** The learner misses writes, then syncs by DIFF and halts in the middle of the sync. */
    private void learnerBehindRejoins(String point) throws Exception {
        String base = base(point);
        int x = lowerFollower();
        cluster.kill9(x);
        KILLS.incrementAndGet();
        try (ZooKeeper zk = Clients.connect(cluster.connectString(cluster.leader()), SESSION_TIMEOUT)) {
            ZooKeeper open = ephemerals(base);
            for (int i = 0; i < 5; i++) {
                write(zk, base + "/missed-" + i);
            }
            startWith(x, point);
            awaitHalt(x, point);
            write(zk, base + "/after-halt");
            restart(x);
            closeEphemeralSession(open, base);
        }
        checkRecovered(base);
    }

    @Test
    @Order(4)
    void learnerHaltsAfterAcceptingANewEpochBeforeAckEpoch() throws Exception {
        String point = CrashPoints.LEARNER_EPOCH_ACCEPTED;
        String base = base(point);
        int x = lowerFollower();
        int leader = cluster.leader();
        startWith(x, point); // same epoch: rejoining writes no acceptedEpoch
        cluster.awaitServing(START);
        ZooKeeper open = ephemerals(base);
        awaitSameZxid();
        // The leader goes: the other follower (higher id) wins, and x accepts its new epoch, then halts.
        cluster.kill9(leader);
        KILLS.incrementAndGet();
        awaitHalt(x, point);
        restart(leader);
        restart(x);
        closeEphemeralSession(open, base);
        checkRecovered(base);
    }

    // ---- leader points (server 3 leads) ----

    @Test
    @Order(5)
    void leaderHaltsAfterPersistingAcceptedEpoch() throws Exception {
        leaderHaltsWhileEstablishing(CrashPoints.LEADER_EPOCH_ACCEPTED);
    }

    @Test
    @Order(6)
    void leaderHaltsAfterPersistingCurrentEpoch() throws Exception {
        leaderHaltsWhileEstablishing(CrashPoints.LEADER_EPOCH_CURRENT);
    }

    private void leaderHaltsWhileEstablishing(String point) throws Exception {
        String base = base(point);
        int old = becomeFollowerWith(point);
        ZooKeeper open = ephemerals(base);
        awaitSameZxid(); // equal histories: server 3 wins the next election on its id
        cluster.kill9(old); // server 3 and the other follower elect server 3, which halts establishing its epoch
        KILLS.incrementAndGet();
        awaitHalt(LEADER_PLAYER, point);
        restart(old);
        restart(LEADER_PLAYER);
        closeEphemeralSession(open, base);
        checkRecovered(base);
    }

    @Test
    @Order(7)
    void leaderHaltsWithAQuorumOfAcksBeforeCommit() throws Exception {
        String path = leaderHaltsOnAWrite(CrashPoints.LEADER_COMMIT_QUORUM);
        QUORUM_LOGGED.add(path); // a quorum logged it: the next leader must commit it
        checkRecovered(base(CrashPoints.LEADER_COMMIT_QUORUM));
    }

    @Test
    @Order(8)
    void leaderHaltsHalfWayThroughItsCommits() throws Exception {
        String path = leaderHaltsOnAWrite(CrashPoints.LEADER_COMMIT_PARTIAL);
        QUORUM_LOGGED.add(path); // one follower applied it (and may have answered): it must survive
        checkRecovered(base(CrashPoints.LEADER_COMMIT_PARTIAL));
    }

    @Test
    @Order(9)
    void leaderHaltsAfterLoggingAProposalItNeverSent() throws Exception {
        String path = leaderHaltsOnAWrite(CrashPoints.LEADER_PROPOSAL_LOGGED);
        LOST.add(path); // only the dead leader's log had it; its return must truncate it
        checkRecovered(base(CrashPoints.LEADER_PROPOSAL_LOGGED));
    }

    /**
     * Server 3 becomes leader with the point armed, all three serve, then one write through a follower makes it
     * halt; it comes back without the flag. Returns the path of that write.
     */
    private String leaderHaltsOnAWrite(String point) throws Exception {
        String base = base(point);
        int old = becomeFollowerWith(point);
        int other = otherThan(old, LEADER_PLAYER);
        ZooKeeper open = ephemerals(base);
        String path = base + "/in-flight";
        try (ZooKeeper zk = Clients.connect(cluster.connectString(other), SESSION_TIMEOUT)) {
            // Sessions first: a session's creation is a proposal too, and the point must meet the write.
            awaitSameZxid();
            cluster.kill9(old);
            KILLS.incrementAndGet();
            await("server 3 leads").atMost(START).until(() -> "leader".equals(cluster.mode(LEADER_PLAYER)));
            restart(old);
            // All three in sync before the write, so that its COMMIT goes to two followers.
            await("server " + old + " follows").atMost(START).until(() -> "follower".equals(cluster.mode(old)));
            CompletableFuture<Integer> rc = writeAsync(zk, path);
            awaitHalt(LEADER_PLAYER, point);
            int code = rc.get(60, TimeUnit.SECONDS);
            System.out.println(point + ": the in-flight write got " + KeeperException.Code.get(code));
        }
        restart(LEADER_PLAYER);
        closeEphemeralSession(open, base);
        return path;
    }

    /** Restarts server 3 with the point armed as a follower; returns the leader it follows (not 3). */
    private int becomeFollowerWith(String point) throws Exception {
        startWith(LEADER_PLAYER, point);
        cluster.awaitServing(START);
        int leader = cluster.leader();
        assertThat(leader).as("leader after server 3 rejoined").isNotIn(-1, LEADER_PLAYER);
        return leader;
    }

    // ---- TRUNC: an isolated leader's lost tail ----

    @Test
    @Order(10)
    void truncationInterruptedHalfWayThenAfterTruncatingFinishesOnRestart() throws Exception {
        String base = base("trunc");
        int x = cluster.leader();
        List<Integer> followers = cluster.ids().stream().filter(id -> id != x).toList();
        ZooKeeper open = ephemerals(base);
        int filesBefore = logFiles(x).size();
        List<String> tail = new ArrayList<>();
        ZooKeeper atX = Clients.connect(cluster.connectString(x), SESSION_TIMEOUT);
        try {
            for (int f : followers) {
                cluster.server(f).pause(); // frozen followers: the leader logs proposals nobody ACKs
                PAUSES.incrementAndGet();
            }
            for (int i = 0; i < 40 && logFiles(x).size() < filesBefore + 2; i++) {
                String path = base + "/lost-" + i;
                tail.add(path);
                LOST.add(path);
                writeAsync(atX, path);
                await("server " + x + " logged " + path).atMost(Duration.ofSeconds(5))
                        .pollInterval(Duration.ofMillis(10)).until(() -> ClusterClients.logHolds(cluster, x, path));
            }
            assertThat(logFiles(x).size()).as("log files of the isolated leader").isGreaterThanOrEqualTo(
                    filesBefore + 2);
            // The proposals wait unread in the frozen followers' socket buffers: they die with them (a paused
            // process that resumed would log them, and the tail would rightly survive).
            cluster.kill9(x);
            for (int f : followers) {
                cluster.kill9(f);
            }
            KILLS.addAndGet(3);
        } finally {
            for (int f : followers) {
                if (cluster.server(f).isAlive()) {
                    cluster.server(f).resume();
                }
            }
            atX.close(100);
        }
        for (int f : followers) {
            restart(f);
        }
        int leader = awaitLeader();
        try (ZooKeeper zk = Clients.connect(cluster.connectString(leader), SESSION_TIMEOUT)) {
            for (int i = 0; i < 3; i++) {
                write(zk, base + "/new-epoch-" + i);
            }
        }
        startWith(x, CrashPoints.STORAGE_TRUNCATION_PARTIAL);
        awaitHalt(x, CrashPoints.STORAGE_TRUNCATION_PARTIAL);
        Map<Long, byte[]> halfway = LogAudit.read(cluster.dataDir(x), MAX_ENTRY);
        assertThat(tail.stream().anyMatch(p -> LogAudit.holds(halfway, bytes(p))))
                .as("after a truncation cut short, part of the lost tail is still logged").isTrue();

        startWith(x, CrashPoints.LEARNER_TRUNC_TRUNCATED);
        awaitHalt(x, CrashPoints.LEARNER_TRUNC_TRUNCATED);
        Map<Long, byte[]> truncated = LogAudit.read(cluster.dataDir(x), MAX_ENTRY);
        assertThat(tail.stream().filter(p -> LogAudit.holds(truncated, bytes(p))).toList())
                .as("lost writes still logged once the TRUNC went through").isEmpty();
        restart(x);
        closeEphemeralSession(open, base);
        checkRecovered(base);
    }

    // ---- SNAP ----

    @Test
    @Order(11)
    void learnerHaltsWithTheLeadersSnapshotOnDiskBeforeLoadingIt() throws Exception {
        String point = CrashPoints.LEARNER_SNAP_RECEIVED;
        String base = base(point);
        int x = lowerFollower();
        cluster.kill9(x);
        KILLS.incrementAndGet();
        try (ZooKeeper zk = Clients.connect(cluster.connectString(cluster.leader()), SESSION_TIMEOUT)) {
            ZooKeeper open = ephemerals(base);
            List<CompletableFuture<Integer>> all = new ArrayList<>();
            for (int i = 0; i < 600; i++) { // more than the leader's 500 recent transactions: SNAP
                all.add(writeAsync(zk, base + "/n-" + i));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            startWith(x, point);
            awaitHalt(x, point);
            write(zk, base + "/after-halt");
            restart(x);
            closeEphemeralSession(open, base);
        }
        checkRecovered(base);
        try (var files = Files.list(cluster.dataDir(x).resolve("version-2"))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("incoming-snapshot")))
                    .as("snapshots received but never installed, left in server %d", x).isEmpty();
        }
    }

    // ---- the logs, servers stopped ----

    @Test
    @Order(12)
    void stoppedServersLogsAgreeZxidByZxid() throws Exception {
        for (int id : cluster.ids()) {
            cluster.server(id).stop();
        }
        Map<Integer, Map<Long, byte[]>> logs = new TreeMap<>();
        for (int id : cluster.ids()) {
            logs.put(id, LogAudit.read(cluster.dataDir(id), MAX_ENTRY));
        }
        assertThat(LogAudit.conflicts(logs)).as("zxids logged with different transactions").isEmpty();
        auditedZxids = logs.values().stream().mapToInt(Map::size).sum();
        for (String lost : LOST) {
            for (int id : cluster.ids()) {
                assertThat(LogAudit.holds(logs.get(id), bytes(lost))).as("server %d logs lost %s", id, lost)
                        .isFalse();
            }
        }
        assertThat(REACHED).as("crash points reached").hasSize(12);
    }

    // ---- checks ----

    /**
     * Every server serves, one leads, and after a last write they agree: the same tree node by node, the same last
     * zxid, every acknowledged write there, no lost write, no ephemeral of a closed session.
     */
    private static void checkRecovered(String base) throws Exception {
        awaitLeader();
        try (ZooKeeper zk = Clients.connect(cluster.connectString(), SESSION_TIMEOUT)) {
            write(zk, base + "/synced");
            // A close() the client made while no server served never reached one: that session expires instead,
            // within its timeout of the last leader change. Either way its ephemerals must go.
            await("ephemerals of closed sessions gone").atMost(Duration.ofSeconds(30)).until(() -> {
                sync(zk, "/");
                for (String p : GONE) {
                    if (zk.exists(p, false) != null) {
                        return false;
                    }
                }
                return true;
            });
        }
        Map<Integer, Map<String, String>> digests = new TreeMap<>();
        await("replicas converge").atMost(Duration.ofSeconds(30)).until(() -> {
            digests.clear();
            for (int id : cluster.ids()) {
                try (ZooKeeper zk = Clients.connect(cluster.connectString(id), SESSION_TIMEOUT)) {
                    sync(zk, "/");
                    digests.put(id, TreeDigest.of(zk, "/", Set.of("/zookeeper")));
                }
            }
            DIGESTS.addAndGet(digests.size());
            return digests.values().stream().distinct().count() == 1;
        });
        awaitSameZxid();
        assertThat(cluster.ids().stream().filter(id -> "leader".equals(cluster.mode(id))).count())
                .as("leaders").isEqualTo(1);
        Map<String, String> tree = digests.values().iterator().next();
        ACKED.forEach((path, data) -> assertThat(tree.get(path)).as("acknowledged %s", path).isNotNull()
                .startsWith("data=" + TreeDigest.dataTag(data) + " "));
        assertThat(LOST.stream().filter(tree::containsKey).toList()).as("lost writes present").isEmpty();
        assertThat(QUORUM_LOGGED.stream().filter(p -> !tree.containsKey(p)).toList())
                .as("quorum-logged writes missing").isEmpty();
        assertThat(GONE.stream().filter(tree::containsKey).toList()).as("ephemerals of closed sessions").isEmpty();
        CHECKS.incrementAndGet();
    }

    /** Waits for a serving leader among the running servers and returns it. */
    private static int awaitLeader() {
        await("a leader").atMost(START).pollInterval(Duration.ofMillis(50)).until(() -> cluster.leader() != -1);
        cluster.awaitServing(START);
        return cluster.leader();
    }

    private static void awaitSameZxid() {
        await("every server at the same zxid").atMost(Duration.ofSeconds(30)).until(() -> cluster.ids().stream()
                .map(id -> cluster.server(id).zxid()).distinct().count() == 1);
    }

    // ---- faults ----

    private static void startWith(int id, String point) throws Exception {
        if (cluster.server(id) != null && cluster.server(id).isAlive()) {
            cluster.kill9(id);
            KILLS.incrementAndGet();
        }
        cluster.start(id, List.of("-Densemble.crashAt=" + point));
    }

    /** The server exits on its own, by the crash point's halt and for no other reason. */
    private static void awaitHalt(int id, String point) throws Exception {
        int code = cluster.server(id).awaitExit(HALT_WITHIN);
        assertThat(code).as("exit code of server %d armed at %s", id, point).isEqualTo(CrashPoints.EXIT_CODE);
        assertThat(cluster.server(id).lastLineContaining("CRASH POINT " + point)).isNotEmpty();
        REACHED.add(point);
    }

    /** Starts the server without any crash point; returns once it answers (it may still be looking). */
    private static void restart(int id) throws Exception {
        cluster.start(id);
        RESTARTS.incrementAndGet();
        cluster.server(id).awaitServing();
    }

    // ---- writes ----

    private static String base(String point) throws Exception {
        String base = "/crash/" + point;
        try (ZooKeeper zk = Clients.connect(cluster.connectString(), SESSION_TIMEOUT)) {
            write(zk, base);
        }
        return base;
    }

    /** A synchronous create; true (and recorded) if acknowledged. */
    private static boolean write(ZooKeeper zk, String path) throws InterruptedException {
        try {
            zk.create(path, bytes(path), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            ACKED.put(path, bytes(path));
            return true;
        } catch (KeeperException e) {
            UNKNOWN.incrementAndGet();
            return false;
        }
    }

    /** An asynchronous create; an acknowledgement is recorded when it comes. Completes with the result code. */
    private static CompletableFuture<Integer> writeAsync(ZooKeeper zk, String path) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        zk.create(path, bytes(path), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, (rc, p, ctx, name) -> {
            if (rc == KeeperException.Code.OK.intValue()) {
                ACKED.put(path, bytes(path));
            } else {
                UNKNOWN.incrementAndGet();
            }
            done.complete(rc);
        }, null);
        return done;
    }

    /**
     * One session that creates an ephemeral and closes before the crash, and one whose ephemeral lives through
     * it (returned, to be closed after recovery).
     */
    private static ZooKeeper ephemerals(String base) throws Exception {
        try (ZooKeeper closed = Clients.connect(cluster.connectString(), SESSION_TIMEOUT)) {
            closed.create(base + "/eph-closed", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        }
        GONE.add(base + "/eph-closed");
        ZooKeeper open = Clients.connect(cluster.connectString(), SESSION_TIMEOUT);
        open.create(base + "/eph-open", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        return open;
    }

    private static void closeEphemeralSession(ZooKeeper open, String base) throws InterruptedException {
        open.close(); // or it expired during the outage: either way its ephemeral must go
        GONE.add(base + "/eph-open");
    }

    // ---- who is who ----

    private static int lowerFollower() {
        int leader = awaitLeader();
        return cluster.ids().stream().filter(id -> id != leader).min(Integer::compare).orElseThrow();
    }

    private static int otherThan(int a, int b) {
        return cluster.ids().stream().filter(id -> id != a && id != b).findFirst().orElseThrow();
    }

    private static List<Path> logFiles(int id) throws Exception {
        try (var files = Files.list(cluster.dataDir(id).resolve("version-2"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("log.")).toList();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
