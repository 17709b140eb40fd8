package io.ensemble.faults;

import io.ensemble.testing.EnsembleCluster;
import io.ensemble.testing.OrderedHostProvider;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A follower of 3 servers partitioned away under a recorded load, in three ways: every link of it cut (connections
 * closed: it learns at once), then one-way partitions that TCP does not report: nothing it sends arrives while it
 * still hears the others, and then it hears nothing while what it sends still arrives. Each time the
 * follower must stop serving, the clients that were on it must lose their connection and carry on through the other
 * servers, the leader must keep acknowledging writes with the remaining follower, and after the heal the follower
 * must rejoin and catch up. The whole history passes the {@link io.ensemble.checker.Checker} against all three
 * final trees. Nightly: more partitions, alternating between the followers.
 */
class FollowerPartitionIT {
    private static final Duration SERVE = Duration.ofSeconds(60);
    private static final String ROOT = "/part";
    private static final int ROAMING = 2;
    private static final int ON_FOLLOWER = 2;

    /** Static, so that it outlives the test method: the consoles are printed after a failure. */
    @TempDir
    static Path dir;
    @RegisterExtension
    final FaultEnsemble ensemble = new FaultEnsemble("FollowerPartitionIT");
    EnsembleCluster cluster;

    /** How the follower is partitioned away. */
    private enum Partition {
        /** Every proxy of its links cut: connections closed, new ones refused. */
        CUT,
        /** Everything it sends is held, on every link and whoever dialled; it still hears the others. */
        SILENCED,
        /** Everything sent to it is held; what it sends still arrives. */
        DEAFENED
    }

    @Test
    void aPartitionedFollowersClientsMoveOnAndItCatchesUpAfterTheHeal() throws Exception {
        int rounds = FaultScale.rounds(1, 5);
        cluster = ensemble.start(FaultEnsemble.threeServers(dir).proxyAllLinks(), SERVE);
        LoadPlan plan = LoadPlan.standard(ROOT);
        RecordedLoad roaming = RecordedLoad.startOnFreshRoot(plan, cluster.connectString(), ROAMING);
        int partitions = 0;
        try {
            for (int round = 0; round < rounds; round++) {
                for (Partition how : Partition.values()) {
                    int firstWorker = ROAMING + partitions * ON_FOLLOWER;
                    partitionOnce(plan, roaming, round, how, firstWorker);
                    partitions++;
                }
            }
        } finally {
            roaming.stop();
        }
        assertThat(roaming.tally().unexpected()).as("outcomes no fault explains").isEmpty();
        ensemble.check(roaming.history(), SERVE);
    }

    private void partitionOnce(LoadPlan plan, RecordedLoad roaming, int round, Partition how, int firstWorker)
            throws Exception {
        int leader = cluster.leader();
        List<Integer> followers = cluster.ids().stream().filter(id -> id != leader).toList();
        int cutOff = followers.get(round % followers.size());
        List<Integer> ports = cluster.ids().stream().map(id -> cluster.ports(id).client()).toList();
        Map<Integer, AtomicInteger> disconnects = new ConcurrentHashMap<>();
        RecordedLoad onFollower = roaming.alongside(plan, firstWorker, ON_FOLLOWER,
                i -> new ZooKeeper(cluster.connectString(), plan.sessionTimeoutMs(), countDisconnects(disconnects, i),
                        false, OrderedHostProvider.startingAt(cluster.ports(cutOff).client(), ports)));
        try {
            onFollower.awaitAcks(System.nanoTime(), 2 * ON_FOLLOWER, SERVE);
            for (LoadWorker w : onFollower.workers()) {
                assertThat(cluster.server(cutOff).fourLetterWord("cons"))
                        .as("a client starting on server %d is there", cutOff)
                        .contains("sid=0x" + Long.toHexString(w.zooKeeper().getSessionId()) + ",");
            }
            RecordedLoad.soak();

            long partitionedAt = System.nanoTime();
            partition(cutOff, how);
            ensemble.faultInjected();
            await("server " + cutOff + " stops serving").atMost(SERVE).pollInterval(Duration.ofMillis(20))
                    .until(() -> cluster.mode(cutOff).isEmpty());
            long stoppedAt = System.nanoTime();
            for (LoadWorker w : onFollower.workers()) {
                await("worker " + w.index() + " was disconnected and moved to another server").atMost(SERVE)
                        .until(() -> disconnects.getOrDefault(w.index(), new AtomicInteger()).get() > 0
                                && connectedToOtherThan(cutOff, w.zooKeeper().getSessionId()));
            }
            onFollower.awaitAcks(stoppedAt, 2 * ON_FOLLOWER, SERVE);
            roaming.awaitAcks(stoppedAt, 2 * ROAMING, SERVE);
            assertThat(cluster.leader()).as("the leader keeps its quorum").isEqualTo(leader);
            assertThat(cluster.mode(cutOff)).as("server %d is still partitioned", cutOff).isEmpty();
            System.out.printf("%s of follower %d: it stopped serving after %d ms, its clients moved on; %s%n", how,
                    cutOff, (stoppedAt - partitionedAt) / 1_000_000, onFollower.tally());

            heal(cutOff);
            long healedAt = System.nanoTime();
            await("server " + cutOff + " rejoins as a follower").atMost(SERVE).pollInterval(Duration.ofMillis(50))
                    .until(() -> "follower".equals(cluster.mode(cutOff)));
            long leaderZxid = cluster.server(leader).zxid();
            await("server " + cutOff + " catches up to zxid 0x" + Long.toHexString(leaderZxid)).atMost(SERVE)
                    .until(() -> cluster.server(cutOff).zxid() >= leaderZxid);
            System.out.printf("healed: server %d following and caught up after %d ms%n", cutOff,
                    (System.nanoTime() - healedAt) / 1_000_000);
            roaming.awaitAcks(System.nanoTime(), 2 * ROAMING, SERVE);
        } finally {
            onFollower.stop();
        }
        assertThat(onFollower.tally().unexpected()).as("outcomes no fault explains").isEmpty();
    }

    private static Watcher countDisconnects(Map<Integer, AtomicInteger> disconnects, int worker) {
        return e -> {
            if (e.getType() == Watcher.Event.EventType.None && e.getState() == Watcher.Event.KeeperState.Disconnected) {
                disconnects.computeIfAbsent(worker, w -> new AtomicInteger()).incrementAndGet();
            }
        };
    }

    /** Whether a server other than {@code id} lists a connection of the session in its {@code cons}. */
    private boolean connectedToOtherThan(int id, long sessionId) {
        String sid = "sid=0x" + Long.toHexString(sessionId) + ",";
        return cluster.ids().stream().filter(other -> other != id && !cluster.mode(other).isEmpty())
                .anyMatch(other -> cluster.server(other).fourLetterWord("cons").contains(sid));
    }

    private void partition(int cutOff, Partition how) {
        for (int other : cluster.ids()) {
            if (other == cutOff) {
                continue;
            }
            EnsembleCluster.Link link = cluster.link(cutOff, other);
            switch (how) {
                case CUT -> link.cut();
                case SILENCED -> link.blackholeFrom(cutOff);
                case DEAFENED -> link.blackholeFrom(other);
            }
        }
    }

    private void heal(int cutOff) {
        cluster.ids().stream().filter(id -> id != cutOff).forEach(id -> cluster.link(cutOff, id).restore());
    }
}
