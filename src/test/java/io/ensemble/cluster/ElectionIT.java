package io.ensemble.cluster;

import io.ensemble.testing.Clients;
import io.ensemble.testing.ConsolesOnFailure;
import io.ensemble.testing.EnsembleCluster;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leader election of real server JVMs on loopback: one leader per ensemble, a new one among the survivors after a
 * {@code kill -9} of the leader (twice, in 5 servers), and a late server that joins the running leader instead of
 * starting a new term.
 */
class ElectionIT {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration FAILOVER = Duration.ofSeconds(30);

    private EnsembleCluster cluster;

    /** On a failure, the tails of the server consoles go to the test's output (failsafe-reports/*-output.txt). */
    @RegisterExtension
    final ConsolesOnFailure consolesOnFailure = new ConsolesOnFailure(() -> cluster, 60);

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void threeServersElectExactlyOneLeaderAndTheOthersFollowIt(@TempDir Path dir) throws Exception {
        cluster = EnsembleCluster.builder(dir).voters(3).build();
        cluster.startAll();
        cluster.awaitServing(START);

        Map<Integer, String> modes = modes();
        assertThat(modes.values()).as("modes %s", modes).containsExactlyInAnyOrder("leader", "follower", "follower");
        int leader = cluster.leader();
        // Every follower synced with that very leader (not with some other server that also believes it leads).
        for (int id : cluster.ids()) {
            if (id != leader) {
                assertThat(cluster.server(id).lastLineContaining("quorum: syncing with leader"))
                        .as("server %d's sync line", id).contains("syncing with leader " + leader + " by ");
            }
        }
        try (ZooKeeper zk = Clients.connect(cluster.connectString(), 30_000)) {
            zk.create("/elected", "3".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        for (int id : cluster.ids()) {
            assertThat(syncedRead(id, "/elected")).as("/elected on server %d", id).isEqualTo("3");
        }
        // All three applied it in one epoch: the leader's.
        assertThat(cluster.ids().stream().map(id -> epoch(cluster.server(id).zxid())).distinct().toList())
                .as("epochs of the three servers").hasSize(1);
    }

    @Test
    void fiveServersSurviveTheKillOfTwoSuccessiveLeaders(@TempDir Path dir) throws Exception {
        cluster = EnsembleCluster.builder(dir).voters(5).set("maxSessionTimeout", "30000").build();
        cluster.startAll();
        cluster.awaitServing(START);
        Map<Integer, String> modes = modes();
        assertThat(modes.values()).as("modes %s", modes)
                .containsExactlyInAnyOrder("leader", "follower", "follower", "follower", "follower");
        int first = cluster.leader();
        write("/before-kills", "0");

        // kill -9 the leader: the 4 others elect one of themselves and serve writes again.
        cluster.kill9(first);
        int second = awaitNewLeader(List.of(first));
        assertThat(second).isNotEqualTo(first);
        assertThat(cluster.server(second).isAlive()).isTrue();
        cluster.awaitServing(FAILOVER);
        assertThat(modes()).as("modes after the first kill").containsEntry(first, "")
                .containsEntry(second, "leader")
                .satisfies(m -> assertThat(m.values()).containsExactlyInAnyOrder("", "leader", "follower",
                        "follower", "follower"));
        write("/after-first-kill", "1");

        // kill -9 the new leader too: 3 of 5 are still a quorum.
        cluster.kill9(second);
        int third = awaitNewLeader(List.of(first, second));
        assertThat(third).isNotIn(first, second);
        cluster.awaitServing(FAILOVER);
        assertThat(modes().values()).as("modes after the second kill")
                .containsExactlyInAnyOrder("", "", "leader", "follower", "follower");
        write("/after-second-kill", "2");

        // Each survivor has every write, including the ones acknowledged by the dead leaders.
        for (int id : cluster.ids()) {
            if (id == first || id == second) {
                continue;
            }
            assertThat(syncedRead(id, "/before-kills")).as("server %d", id).isEqualTo("0");
            assertThat(syncedRead(id, "/after-first-kill")).as("server %d", id).isEqualTo("1");
            assertThat(syncedRead(id, "/after-second-kill")).as("server %d", id).isEqualTo("2");
        }
    }

    @Test
    void aServerStartedAfterTheElectionJoinsAsFollowerWithoutANewTerm(@TempDir Path dir) throws Exception {
        cluster = EnsembleCluster.builder(dir).voters(3).build();
        // Servers 1 and 2 are a quorum of 3. Server 3 comes later; with the highest id and the same zxid it would win
        // a fresh election, so a leader change here means it disturbed the running term.
        cluster.start(1);
        cluster.start(2);
        cluster.awaitServing(START);
        int leader = cluster.leader();
        assertThat(leader).isIn(1, 2);
        assertThat(modes()).containsEntry(3, "");
        write("/before-late-server", "x");
        long epochBefore = epoch(cluster.server(leader).zxid());

        cluster.start(3);
        cluster.awaitServing(START);
        assertThat(cluster.mode(3)).isEqualTo("follower");
        assertThat(cluster.leader()).as("leader after server 3 joined").isEqualTo(leader);
        assertThat(cluster.server(3).lastLineContaining("quorum: syncing with leader"))
                .contains("syncing with leader " + leader + " by ");
        assertThat(epoch(cluster.server(leader).zxid())).as("the leader's epoch (a new term would raise it)")
                .isEqualTo(epochBefore);
        assertThat(cluster.server(leader).lastLineContaining("looking for a leader again")).as("leader console")
                .isEmpty();
        assertThat(syncedRead(3, "/before-late-server")).isEqualTo("x");
    }

    // ---- helpers ----

    private Map<Integer, String> modes() {
        Map<Integer, String> m = new TreeMap<>();
        cluster.ids().forEach(id -> m.put(id, cluster.mode(id)));
        return m;
    }

    private static long epoch(long zxid) {
        return zxid >>> 32;
    }

    /** Waits for a running server other than {@code excluded} to say it leads, and returns its id. */
    private int awaitNewLeader(List<Integer> excluded) {
        return await("a new leader among the survivors").atMost(FAILOVER).pollInterval(Duration.ofMillis(50))
                .until(cluster::leader, l -> l > 0 && !excluded.contains(l));
    }

    /** A write through the whole connect string (the client finds a serving server), retried on connection loss. */
    private void write(String path, String value) throws Exception {
        try (ZooKeeper zk = Clients.connect(cluster.connectString(), 30_000)) {
            await("write of " + path).atMost(FAILOVER).ignoreException(KeeperException.ConnectionLossException.class)
                    .until(() -> {
                        try {
                            zk.create(path, value.getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                                    CreateMode.PERSISTENT);
                        } catch (KeeperException.NodeExistsException e) {
                            // an earlier attempt that lost its connection was applied
                        }
                        return true;
                    });
        }
    }

    /** Reads a node through a client of that one server, after sync(). */
    private String syncedRead(int id, String path) throws Exception {
        try (ZooKeeper zk = Clients.connect(cluster.connectString(id), 30_000)) {
            CompletableFuture<Integer> synced = new CompletableFuture<>();
            zk.sync(path, (rc, p, ctx) -> synced.complete(rc), null);
            assertThat(synced.get(30, TimeUnit.SECONDS)).as("sync rc on server %d", id)
                    .isEqualTo(KeeperException.Code.OK.intValue());
            return new String(zk.getData(path, false, null), StandardCharsets.UTF_8);
        }
    }
}
