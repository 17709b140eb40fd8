package io.ensemble.faults;

import io.ensemble.checker.Checker;
import io.ensemble.checker.TreeSnapshot;
import io.ensemble.storage.LogFiles;
import io.ensemble.testing.Clients;
import io.ensemble.testing.ConsoleWatch;
import io.ensemble.testing.EnsembleCluster;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of a follower while the leader's snapshot streams into it. The tree holds tens of MB (half-megabyte
 * znodes), so a SNAP takes a while; the follower misses more than the leader's 500 in-memory transactions, is
 * started again and killed the moment its {@code incoming-snapshot.*} file in its dataDir has bytes but has not
 * been installed. Proven mid-stream: after the kill the incoming file is still there, smaller than the snapshot
 * the follower installs on its next try, and its console never said it installed one. Restarted, it must discard
 * the stale incoming file, sync by SNAP again and converge: the recorded history passes the {@link Checker}
 * against every replica, and every bulk znode is on every server.
 */
class SnapKillIT {
    private static final Duration START = Duration.ofSeconds(90);
    private static final int SESSION_TIMEOUT = 15_000;
    private static final int NODE_BYTES = 512 * 1024;
    private static final int BULK_MB = FaultScale.NIGHTLY ? 64 : 32;
    private static final int ROUNDS = FaultScale.rounds(1, 3);
    private static final String INCOMING = "incoming-snapshot.";

    /** Static, so that it outlives the test method: the consoles are printed after a failure. */
    @TempDir
    static Path dir;
    @RegisterExtension
    final FaultEnsemble ensemble = new FaultEnsemble("SnapKillIT");
    private EnsembleCluster cluster;

    @Test
    void aFollowerKilledWhileTheSnapshotStreamsInRecoversAndConverges() throws Exception {
        cluster = ensemble.start(FaultEnsemble.threeServers(dir), START);
        int bulkNodes = BULK_MB * 1024 * 1024 / NODE_BYTES;
        try (ZooKeeper zk = Clients.connect(cluster.connectString(), SESSION_TIMEOUT)) {
            zk.create("/bulk", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create("/small", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            create(zk, "/bulk/n-", new byte[NODE_BYTES], bulkNodes, 8);
        }
        RecordedLoad load = RecordedLoad.startOnFreshRoot(LoadPlan.churning("/snap", SESSION_TIMEOUT),
                cluster.connectString(), 4);
        try {
            load.awaitAcks(System.nanoTime(), 40, START);
            for (int round = 0; round < ROUNDS; round++) {
                killMidSnapAndRecover();
            }
            load.awaitAcks(System.nanoTime(), 40, START);
        } finally {
            load.stop();
        }
        Map<String, TreeSnapshot> replicas = ensemble.check(load.history(), START);
        for (Map.Entry<String, TreeSnapshot> r : replicas.entrySet()) {
            long bulk = r.getValue().nodes().entrySet().stream()
                    .filter(e -> e.getKey().startsWith("/bulk/") && e.getValue().value().length() == NODE_BYTES)
                    .count();
            assertThat(bulk).as("acknowledged %d KB znodes on %s", NODE_BYTES / 1024, r.getKey())
                    .isEqualTo(bulkNodes);
        }
        ensemble.acknowledgedWritesChecked(bulkNodes);
    }

    /** One follower behind by more than a DIFF, killed -9 mid-stream, restarted: it must sync by SNAP again. */
    private void killMidSnapAndRecover() throws Exception {
        int leader = awaitLeader();
        int x = cluster.ids().stream().filter(id -> id != leader).min(Integer::compare).orElseThrow();
        Path snapDir = cluster.dataDir(x).resolve(LogFiles.VERSION_DIR);
        cluster.kill9(x);
        ensemble.faultInjected();
        try (ZooKeeper zk = Clients.connect(cluster.connectString(leader), SESSION_TIMEOUT)) {
            create(zk, "/small/n-", new byte[16], 600, 600); // beyond the leader's 500 in-memory transactions
        }
        ConsoleWatch watch = ConsoleWatch.fromNow(cluster.console(x));
        cluster.start(x);
        AtomicReference<Path> incoming = new AtomicReference<>();
        await("server " + x + " receives a snapshot").atMost(START).pollInterval(Duration.ofMillis(1))
                .pollDelay(Duration.ZERO).failFast("server " + x + " exited", () -> !cluster.server(x).isAlive())
                .until(() -> {
                    incoming.set(incomingWithBytes(snapDir));
                    return incoming.get() != null;
                });
        cluster.kill9(x);
        ensemble.faultInjected();
        long bytesAtKill = Files.size(incoming.get());
        assertThat(watch.nextLineContaining("replacing the data with the leader's snapshot"))
                .as("server %d installed the snapshot before it was killed", x).isNull();
        assertThat(incoming.get()).as("the snapshot server %d was receiving when killed", x).exists();
        System.out.printf("SnapKillIT: server %d killed with %s at %,d bytes%n", x, incoming.get().getFileName(),
                bytesAtKill);

        watch = ConsoleWatch.fromNow(cluster.console(x));
        cluster.start(x);
        watch.awaitLine("removed " + incoming.get().getFileName() + ", a snapshot received but never installed",
                START);
        String snapLine = watch.awaitLine("quorum: syncing with leader", START);
        assertThat(snapLine).as("how server %d syncs after the kill", x).contains(" by SNAP at zxid 0x");
        String installed = watch.awaitLine("replacing the data with the leader's snapshot at zxid 0x", START);
        cluster.server(x).awaitServing();
        cluster.awaitServing(START);
        Path snapshot = snapDir.resolve(LogFiles.SNAP_PREFIX + installed.substring(installed.lastIndexOf("0x") + 2));
        long full = Files.size(snapshot);
        System.out.printf("SnapKillIT: server %d installed %s, %,d bytes%n", x, snapshot.getFileName(), full);
        assertThat(bytesAtKill).as("bytes of the snapshot when killed, of %,d", full).isLessThan(full);
        assertThat(incomingWithBytes(snapDir)).as("incoming snapshots left on server %d", x).isNull();
    }

    private static Path incomingWithBytes(Path snapDir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(snapDir, INCOMING + "*")) {
            for (Path p : files) {
                try {
                    if (Files.size(p) > 0) {
                        return p;
                    }
                } catch (java.nio.file.NoSuchFileException installedMeanwhile) {
                    // renamed into place between listing and looking: not incoming any more
                }
            }
        }
        return null;
    }

    /** {@code n} sequential creates, at most {@code window} in flight; every one must be acknowledged. */
    private static void create(ZooKeeper zk, String prefix, byte[] data, int n, int window) throws Exception {
        List<CompletableFuture<Integer>> inFlight = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CompletableFuture<Integer> rc = new CompletableFuture<>();
            zk.create(prefix, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL,
                    (code, p, ctx, name) -> rc.complete(code), null);
            inFlight.add(rc);
            if (inFlight.size() >= window) {
                drain(inFlight);
            }
        }
        drain(inFlight);
    }

    private static void drain(List<CompletableFuture<Integer>> inFlight) throws Exception {
        for (CompletableFuture<Integer> rc : inFlight) {
            assertThat(KeeperException.Code.get(rc.get(120, TimeUnit.SECONDS))).isEqualTo(KeeperException.Code.OK);
        }
        inFlight.clear();
    }

    private int awaitLeader() {
        await("a leader").atMost(START).pollInterval(Duration.ofMillis(50)).until(() -> cluster.leader() != -1);
        return cluster.leader();
    }
}
