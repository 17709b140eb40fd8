package io.ensemble.faults;

import io.ensemble.checker.Checker;
import io.ensemble.testing.Clients;
import io.ensemble.testing.ConsoleWatch;
import io.ensemble.testing.EnsembleCluster;
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

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 in the middle of a learner's sync, for real: a follower is stopped, misses writes (a few hundred: the
 * leader brings it back by DIFF; more than the leader's 500 in-memory transactions: by SNAP), is started again, and
 * the moment its console says {@code syncing with leader N by DIFF|SNAP} the test kills it (or, in the third case,
 * the leader it syncs with) with SIGKILL. A kill only counts as mid-sync if the victim's console proves it: the
 * follower never printed "Serving clients as" after its sync line; otherwise the round is repeated. Recording clients
 * run through every round; after it the killed server comes back, everything converges, and the
 * {@link Checker} must accept the history against every replica's tree.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SyncPhaseKillIT {
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration SYNC_LINE_WITHIN = Duration.ofSeconds(60);
    private static final int SESSION_TIMEOUT = 15_000;
    private static final int WORKERS = 4;
    /** Attempts per case to land a kill inside the sync window (a busy machine may finish a small sync first). */
    private static final int ATTEMPTS = 6;
    private static final int ROUNDS = FaultScale.rounds(1, 3);
    /** Well inside the leader's 500 in-memory transactions (room for the load's own): a DIFF. */
    private static final int DIFF_MISSED = 250;
    /** Beyond them: a SNAP. */
    private static final int SNAP_MISSED = 1200;

    @TempDir
    static Path dir;
    /** Static: the three tests share one ensemble and one RELIABILITY line. */
    @RegisterExtension
    static final FaultEnsemble ensemble = new FaultEnsemble("SyncPhaseKillIT");
    static EnsembleCluster cluster;
    private static final AtomicLong MID_SYNC_KILLS = new AtomicLong();

    @BeforeAll
    static void start() throws Exception {
        cluster = ensemble.start(FaultEnsemble.threeServers(dir), START);
        try (ZooKeeper zk = Clients.connect(cluster.connectString(), SESSION_TIMEOUT)) {
            zk.create("/bulk", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
    }

    @AfterAll
    static void printMidSyncKills() {
        System.out.println("SyncPhaseKillIT: kills that landed inside a sync: " + MID_SYNC_KILLS.get());
    }

    @Test
    @Order(1)
    void aFollowerKilledWhileSyncingByDiffRecovers() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            checkedRound("diff-follower-" + round, load -> killFollowerMidSync(load, "DIFF", DIFF_MISSED));
        }
    }

    @Test
    @Order(2)
    void aFollowerKilledWhileSyncingBySnapRecovers() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            checkedRound("snap-follower-" + round, load -> killFollowerMidSync(load, "SNAP", SNAP_MISSED));
        }
    }

    @Test
    @Order(3)
    void theLeaderKilledWhileAFollowerSyncsWithItIsReplaced() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            checkedRound("leader-" + round, this::killLeaderWhileAFollowerSyncs);
        }
    }

    // ---- the faults ----

    /**
     * Stops a follower, writes {@code missed} creates it does not see, starts it and kills it -9 on its sync line;
     * repeats until a kill provably landed before it served. Leaves it running and synced.
     */
    private void killFollowerMidSync(RecordedLoad load, String how, int missed) throws Exception {
        untilMidSync("kill landed inside a " + how + " sync", attempt -> {
            int leader = awaitLeader();
            int x = follower(leader);
            String line = restartBehind(load, x, leader, missed);
            cluster.kill9(x);
            ensemble.faultInjected();
            assertThat(line).as("how server %d syncs after missing %d writes", x, missed)
                    .contains("syncing with leader " + leader + " by " + how);
            boolean midSync = !servedAfterSyncLine(x);
            System.out.printf("SyncPhaseKillIT: %s attempt %d: server %d killed on \"%s\": %s%n", how, attempt, x,
                    line.substring(line.indexOf("quorum:")), midSync ? "mid-sync" : "too late, it already served");
            restart(x);
            return midSync;
        });
    }

    /** A follower misses writes, comes back, and its leader is killed -9 while it syncs; all three come back. */
    private void killLeaderWhileAFollowerSyncs(RecordedLoad load) throws Exception {
        untilMidSync("leader kill landed inside a follower's sync", attempt -> {
            int leader = awaitLeader();
            int x = follower(leader);
            String line = restartBehind(load, x, leader, DIFF_MISSED);
            cluster.kill9(leader);
            ensemble.faultInjected();
            // x and the third server elect a new leader; x's sync with the dead one must not have completed
            awaitLeader();
            boolean midSync = !servedBefore(x, "looking for a leader again");
            System.out.printf("SyncPhaseKillIT: leader %d killed while server %d was on \"%s\" (attempt %d): %s%n",
                    leader, x, line.substring(line.indexOf("quorum:")), attempt,
                    midSync ? "mid-sync" : "too late, it already served");
            restart(leader);
            return midSync;
        });
    }

    /** One try at a kill inside a sync: whether the victim's console proves it landed before the sync completed. */
    private interface Attempt {
        boolean landedMidSync(int attempt) throws Exception;
    }

    /** Tries up to {@link #ATTEMPTS} times until a kill lands inside a sync (a busy machine may finish one first). */
    private static void untilMidSync(String what, Attempt attempt) throws Exception {
        for (int i = 1; i <= ATTEMPTS; i++) {
            if (attempt.landedMidSync(i)) {
                MID_SYNC_KILLS.incrementAndGet();
                return;
            }
        }
        throw new AssertionError("no " + what + " in " + ATTEMPTS + " attempts");
    }

    /**
     * Kills follower x, writes {@code missed} creates it does not see and starts it again; the recorded load is held
     * while x is down (its JVM takes seconds to start, and the load would add thousands of transactions) and runs
     * again from the moment x has recovered its own data, so the sync happens under load. Returns x's sync line.
     */
    private static String restartBehind(RecordedLoad load, int x, int leader, int missed) throws Exception {
        cluster.kill9(x);
        ensemble.faultInjected();
        load.pause();
        try {
            writeBulk(leader, missed);
            ConsoleWatch watch = ConsoleWatch.fromNow(cluster.console(x));
            cluster.start(x);
            watch.awaitLine("Recovered ", SYNC_LINE_WITHIN);
            load.resume();
            return watch.awaitLine("quorum: syncing with leader", SYNC_LINE_WITHIN);
        } finally {
            load.resume();
        }
    }

    // ---- one checked round ----

    private interface Fault {
        void inject(RecordedLoad load) throws Exception;
    }

    /** Recording clients on a fresh root, the fault, more writes, then the checker on history and replicas. */
    private static void checkedRound(String name, Fault fault) throws Exception {
        RecordedLoad load = RecordedLoad.startOnFreshRoot(LoadPlan.churning("/sync-" + name, SESSION_TIMEOUT),
                cluster.connectString(), WORKERS);
        try {
            load.awaitAcks(System.nanoTime(), 40, START);
            fault.inject(load);
            load.awaitAcks(System.nanoTime(), 40, START); // the healed ensemble takes writes again
        } finally {
            load.stop();
        }
        System.out.println("SyncPhaseKillIT " + name + ": " + load.tally());
        ensemble.check(load.history(), START);
    }

    // ---- helpers ----

    /** {@code n} pipelined creates of 2 KB each under /bulk through the leader; all must be acknowledged. */
    private static void writeBulk(int leader, int n) throws Exception {
        byte[] data = new byte[2048];
        try (ZooKeeper zk = Clients.connect(cluster.connectString(leader), SESSION_TIMEOUT)) {
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                CompletableFuture<Integer> rc = new CompletableFuture<>();
                zk.create("/bulk/n-", data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL,
                        (code, p, ctx, name) -> rc.complete(code), null);
                results.add(rc);
            }
            for (CompletableFuture<Integer> rc : results) {
                assertThat(KeeperException.Code.get(rc.get(60, TimeUnit.SECONDS))).isEqualTo(KeeperException.Code.OK);
            }
        }
    }

    /** Whether the server's console, since its last start, says it served after its sync line. */
    private static boolean servedAfterSyncLine(int id) throws Exception {
        return servedBefore(id, null);
    }

    /**
     * Whether "Serving clients as" follows the sync line in the console of the server's last start, before the
     * first line containing {@code until} (or anywhere after it, if null).
     */
    private static boolean servedBefore(int id, String until) throws Exception {
        List<String> lines = cluster.consoleSinceLastStart(id);
        boolean synced = false;
        for (String l : lines) {
            if (l.contains("quorum: syncing with leader")) {
                synced = true;
            } else if (synced && until != null && l.contains(until)) {
                return false;
            } else if (synced && l.contains("Serving clients as")) {
                return true;
            }
        }
        return false;
    }

    private static void restart(int id) throws Exception {
        cluster.start(id);
        cluster.server(id).awaitServing();
        cluster.awaitServing(START);
    }

    private static int awaitLeader() {
        await("a leader").atMost(START).pollInterval(Duration.ofMillis(50)).until(() -> cluster.leader() != -1);
        return cluster.leader();
    }

    private static int follower(int leader) {
        return cluster.ids().stream().filter(id -> id != leader).min(Integer::compare).orElseThrow();
    }
}
