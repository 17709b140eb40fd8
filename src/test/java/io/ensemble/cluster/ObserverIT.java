package io.ensemble.cluster;

import io.ensemble.cluster.ClusterClients.Events;
import io.ensemble.testing.Clients;
import io.ensemble.testing.ConsolesOnFailure;
import io.ensemble.testing.EnsembleCluster;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
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

import static io.ensemble.cluster.ClusterClients.TIMEOUT;
import static io.ensemble.cluster.ClusterClients.bytes;
import static io.ensemble.cluster.ClusterClients.clientPorts;
import static io.ensemble.cluster.ClusterClients.connectInOrder;
import static io.ensemble.cluster.ClusterClients.existsAfterSync;
import static io.ensemble.cluster.ClusterClients.serving;
import static io.ensemble.cluster.ClusterClients.sync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Three voters and one observer (server 4): the observer learns every write, serves clients, but never votes. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObserverIT {
    private static final int OBSERVER = 4;
    private static final int SESSION_TIMEOUT = 4000;

    @TempDir
    static Path dir;
    static EnsembleCluster cluster;

    @RegisterExtension
    final ConsolesOnFailure consolesOnFailure = new ConsolesOnFailure(() -> cluster, 80);
    private final List<ZooKeeper> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = EnsembleCluster.builder(dir).voters(3).observers(1).build();
        cluster.startAll();
        cluster.awaitServing(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void closeClients() throws Exception {
        for (ZooKeeper zk : clients) {
            zk.close(1000);
        }
    }

    private ZooKeeper client(int id) throws Exception {
        ZooKeeper zk = Clients.connect(cluster.connectString(id), SESSION_TIMEOUT);
        clients.add(zk);
        return zk;
    }

    private List<Integer> voters() {
        return cluster.ids().stream().filter(id -> id != OBSERVER).toList();
    }

    @Test
    @Order(1)
    void theObserverSaysSoAndLearnsEveryWrite() throws Exception {
        assertThat(cluster.mode(OBSERVER)).isEqualTo("observer");
        assertThat(voters().stream().map(cluster::mode).sorted().toList())
                .containsExactly("follower", "follower", "leader");
        ZooKeeper atLeader = client(cluster.leader());
        ZooKeeper atObserver = client(OBSERVER);
        atLeader.create("/obs", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        for (int i = 0; i < 20; i++) {
            atLeader.create("/obs/n" + i, bytes("v" + i), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        atLeader.setData("/obs/n7", bytes("changed"), -1);
        atLeader.delete("/obs/n3", -1);
        sync(atObserver, "/obs");
        assertThat(atObserver.getChildren("/obs", false)).hasSize(19).doesNotContain("n3");
        assertThat(atObserver.getData("/obs/n7", false, null)).isEqualTo(bytes("changed"));
        assertThat(atObserver.getData("/obs/n19", false, null)).isEqualTo(bytes("v19"));
        int leader = cluster.leader();
        await("the observer reaches the leader's zxid").atMost(TIMEOUT)
                .until(() -> cluster.server(OBSERVER).zxid() == cluster.server(leader).zxid());
    }

    @Test
    @Order(2)
    void aClientOfTheObserverWritesAndReads() throws Exception {
        ZooKeeper atObserver = client(OBSERVER);
        atObserver.create("/from-observer", bytes("a"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertThat(atObserver.getData("/from-observer", false, null)).as("read your own write").isEqualTo(bytes("a"));
        atObserver.setData("/from-observer", bytes("b"), 0);
        atObserver.create("/from-observer/eph", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        assertThat(atObserver.getData("/from-observer", false, null)).isEqualTo(bytes("b"));
        for (int voter : voters()) {
            ZooKeeper reader = client(voter);
            sync(reader, "/from-observer");
            assertThat(reader.getData("/from-observer", false, null)).as("server %d", voter).isEqualTo(bytes("b"));
            assertThat(reader.exists("/from-observer/eph", false).getEphemeralOwner())
                    .isEqualTo(atObserver.getSessionId());
        }
    }

    @Test
    @Order(3)
    void theObserverDoesNotCountForQuorum() throws Exception {
        int leader = cluster.leader();
        List<Integer> followers = voters().stream().filter(id -> id != leader).toList();
        Events events = new Events();
        ZooKeeper atObserver = connectInOrder(clientPorts(cluster, OBSERVER), SESSION_TIMEOUT, events);
        clients.add(atObserver);

        // Only the leader and the observer are left: one voter of three is no quorum, the observer adds nothing.
        for (int f : followers) {
            cluster.kill9(f);
        }
        await("the leader and the observer stop serving").atMost(TIMEOUT)
                .until(() -> !serving(cluster, leader) && !serving(cluster, OBSERVER));
        await("nobody serves for a while").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !serving(cluster, leader) && !serving(cluster, OBSERVER));
        CompletableFuture<Integer> write = new CompletableFuture<>();
        atObserver.create("/without-quorum", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                (rc, path, ctx, name) -> write.complete(rc), null);
        assertThat(write.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("a write without a quorum fails")
                .isNotEqualTo(KeeperException.Code.OK.intValue());

        cluster.start(followers.get(0));
        cluster.awaitServing(Duration.ofSeconds(60));
        int newLeader = cluster.leader();
        assertThat(newLeader).isIn(leader, followers.get(0));
        assertThat(cluster.mode(OBSERVER)).isEqualTo("observer");
        ZooKeeper again = client(OBSERVER);
        again.create("/with-quorum", bytes("ok"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertThat(again.getData("/with-quorum", false, null)).isEqualTo(bytes("ok"));
        assertThat(existsAfterSync(again, "/without-quorum")).as("the failed write left nothing").isNull();
        ZooKeeper atVoter = client(newLeader);
        assertThat(existsAfterSync(atVoter, "/with-quorum")).isNotNull();
        assertThat(existsAfterSync(atVoter, "/without-quorum")).isNull();

        cluster.start(followers.get(1));
        cluster.awaitServing(Duration.ofSeconds(60));
    }

    @Test
    @Order(4)
    void theObserverIsNeverLeader() throws Exception {
        for (int round = 1; round <= 3; round++) {
            int leader = cluster.leader();
            assertThat(leader).as("round %d", round).isNotIn(-1, OBSERVER);
            cluster.kill9(leader);
            await("a new leader after killing " + leader).atMost(TIMEOUT)
                    .until(() -> cluster.leader() != -1 && cluster.ids().stream()
                            .filter(id -> id != leader).allMatch(id -> serving(cluster, id)));
            int next = cluster.leader();
            assertThat(next).as("round %d: the leader", round).isNotIn(leader, OBSERVER);
            assertThat(cluster.mode(OBSERVER)).as("round %d", round).isEqualTo("observer");
            ZooKeeper atObserver = client(OBSERVER);
            atObserver.create("/round" + round, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            cluster.start(leader);
            cluster.awaitServing(Duration.ofSeconds(60));
            assertThat(cluster.mode(OBSERVER)).isEqualTo("observer");
        }
        assertThat(cluster.server(OBSERVER).lastLineContaining("leaves leader")).as("the observer never led")
                .isEmpty();
        assertThat(cluster.server(OBSERVER).lastLineContaining("leaves observer"))
                .as("the observer did follow new leaders").isNotEmpty();
    }

    /**
     * The leader never waits for an observer: with the observer frozen (SIGSTOP: its socket stops draining, it
     * ACKs nothing and answers no PING), writes on the voters keep committing; once thawed it has every one of them.
     */
    @Test
    @Order(5)
    void aFrozenObserverHoldsUpNoWrite() throws Exception {
        int leader = cluster.leader();
        ZooKeeper atLeader = client(leader);
        atLeader.create("/frozen", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        cluster.server(OBSERVER).pause();
        try {
            List<CompletableFuture<Integer>> writes = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                CompletableFuture<Integer> done = new CompletableFuture<>();
                atLeader.setData("/frozen", bytes("w" + i), -1, (rc, path, ctx, stat) -> done.complete(rc), null);
                writes.add(done);
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(),
                    TimeUnit.SECONDS);
            assertThat(writes).allSatisfy(w -> assertThat(w.join()).isEqualTo(KeeperException.Code.OK.intValue()));
        } finally {
            cluster.server(OBSERVER).resume();
        }
        // The leader may have dropped the silent observer meanwhile: it then resyncs before it serves again.
        await("the thawed observer serves").atMost(TIMEOUT).until(() -> serving(cluster, OBSERVER));
        ZooKeeper atObserver = client(OBSERVER);
        await("the thawed observer has the last write").atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> {
            sync(atObserver, "/frozen");
            assertThat(atObserver.getData("/frozen", false, null)).isEqualTo(bytes("w499"));
        });
    }
}
