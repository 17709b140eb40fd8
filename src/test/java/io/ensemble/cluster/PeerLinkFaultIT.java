package io.ensemble.cluster;

import io.ensemble.cluster.ClusterClients.Events;
import io.ensemble.testing.Clients;
import io.ensemble.testing.ConsolesOnFailure;
import io.ensemble.testing.EnsembleCluster;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
import static io.ensemble.cluster.ClusterClients.logHolds;
import static io.ensemble.cluster.ClusterClients.serving;
import static io.ensemble.cluster.ClusterClients.sync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults on the peer links of a 3-server ensemble, every link through proxies: latency, a link that is cut, and a
 * leader isolated with a proposal no quorum ever saw, which the ensemble must truncate when it returns.
 * syncLimit is 25 ticks (5 s) so that an isolated leader still leads when the test sends it a write.
 */
class PeerLinkFaultIT {
    private static final int SESSION_TIMEOUT = 4000;

    @TempDir
    static Path dir;
    static EnsembleCluster cluster;

    @RegisterExtension
    final ConsolesOnFailure consolesOnFailure = new ConsolesOnFailure(() -> cluster, 80);
    private final List<ZooKeeper> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = EnsembleCluster.builder(dir).voters(3).proxyAllLinks().set("syncLimit", "25").build();
        cluster.startAll();
        cluster.awaitServing(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void allServing() {
        cluster.awaitServing(Duration.ofSeconds(60));
    }

    @AfterEach
    void heal() throws Exception {
        for (ZooKeeper zk : clients) {
            zk.close(1000);
        }
        for (int a : cluster.ids()) {
            for (int b : cluster.ids()) {
                if (a < b) {
                    cluster.link(a, b).restore();
                }
            }
        }
        for (int id : cluster.ids()) {
            if (!cluster.server(id).isAlive()) {
                cluster.start(id);
            }
        }
        cluster.awaitServing(Duration.ofSeconds(60));
    }

    private ZooKeeper client(int id) throws Exception {
        ZooKeeper zk = Clients.connect(cluster.connectString(id), SESSION_TIMEOUT);
        clients.add(zk);
        return zk;
    }

    /** After one more write, every server has applied the same last zxid and has the nodes. */
    private void awaitConverged(ZooKeeper writer, String marker, List<String> paths) throws Exception {
        writer.create(marker, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        for (int id : cluster.ids()) {
            ZooKeeper reader = client(id);
            assertThat(existsAfterSync(reader, marker)).as("server %d has %s", id, marker).isNotNull();
            for (String p : paths) {
                assertThat(reader.exists(p, false)).as("server %d has %s", id, p).isNotNull();
            }
        }
        await("every server at the same zxid").atMost(TIMEOUT).until(() -> cluster.ids().stream()
                .map(id -> cluster.server(id).zxid()).distinct().count() == 1);
    }

    @Test
    void writesSucceedAndConvergeOverASlowLink() throws Exception {
        int leader = cluster.leader();
        List<Integer> followers = cluster.ids().stream().filter(id -> id != leader).toList();
        int slow = followers.get(0);
        Events events = new Events();
        ZooKeeper atSlow = connectInOrder(clientPorts(cluster, slow), SESSION_TIMEOUT, events);
        clients.add(atSlow);
        ZooKeeper atLeader = client(leader);
        atLeader.create("/slow", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        cluster.link(leader, slow).delay(50);
        List<String> paths = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            String p = "/slow/f" + i;
            atSlow.create(p, bytes("f" + i), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            paths.add(p);
        }
        long viaSlowMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        for (int i = 0; i < 10; i++) {
            String p = "/slow/l" + i;
            atLeader.create(p, bytes("l" + i), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            paths.add(p);
        }
        // A write through the slow follower crosses the link at least twice (forward, then commit).
        assertThat(viaSlowMillis).as("10 writes through the delayed follower").isGreaterThanOrEqualTo(1000);
        awaitConverged(atLeader, "/slow/done", paths);
        sync(atSlow, "/slow");
        assertThat(atSlow.getData("/slow/l9", false, null)).isEqualTo(bytes("l9"));
        assertThat(cluster.mode(slow)).as("the slow follower kept following").isEqualTo("follower");
        assertThat(events.has(KeeperState.Disconnected)).as("its client never lost it: " + events).isFalse();
    }

    @Test
    void aFollowerCutOffFromTheLeaderStopsServingAndRejoinsWhenTheLinkIsBack() throws Exception {
        int leader = cluster.leader();
        List<Integer> followers = cluster.ids().stream().filter(id -> id != leader).toList();
        int cutOff = followers.get(0);
        int other = followers.get(1);
        ZooKeeper atLeader = client(leader);
        ZooKeeper atOther = client(other);
        atLeader.create("/cut", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        cluster.link(leader, cutOff).cut();
        await("server " + cutOff + " stops serving").atMost(TIMEOUT).until(() -> !serving(cluster, cutOff));
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String p = "/cut/n" + i;
            (i % 2 == 0 ? atLeader : atOther).create(p, bytes("n" + i), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT);
            paths.add(p);
        }
        assertThat(serving(cluster, leader)).as("the leader keeps its quorum with server %d", other).isTrue();
        assertThat(serving(cluster, cutOff)).as("server %d is still cut off", cutOff).isFalse();

        cluster.link(leader, cutOff).restore();
        await("server " + cutOff + " rejoins as a follower").atMost(TIMEOUT)
                .until(() -> "follower".equals(cluster.mode(cutOff)));
        assertThat(cluster.leader()).isEqualTo(leader);
        awaitConverged(atLeader, "/cut/done", paths);
    }

    @Test
    void aLeaderCutOffByASilentNetworkStepsDownAndRejoinsUnderTheNewLeader() throws Exception {
        int old = cluster.leader();
        List<Integer> others = cluster.ids().stream().filter(id -> id != old).toList();
        for (int id : others) {
            cluster.link(old, id).blackhole();
        }
        await("the two others elect a new leader").atMost(TIMEOUT)
                .until(() -> others.contains(cluster.leader()) && others.stream().allMatch(id -> serving(cluster, id)));
        await("the isolated leader stops serving").atMost(TIMEOUT).until(() -> !serving(cluster, old));
        int leader = cluster.leader();
        ZooKeeper atNew = client(leader);
        atNew.create("/partition", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            paths.add(atNew.create("/partition/n" + i, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT));
        }
        assertThat(serving(cluster, old)).as("the minority side never serves").isFalse();

        for (int id : others) {
            cluster.link(old, id).restore();
        }
        await("server " + old + " rejoins as a follower").atMost(TIMEOUT)
                .until(() -> "follower".equals(cluster.mode(old)));
        assertThat(cluster.leader()).isEqualTo(leader);
        awaitConverged(atNew, "/partition/done", paths);
    }

    @Test
    void anUncommittedProposalOfAnIsolatedLeaderIsTruncatedWhenItReturns() throws Exception {
        int old = cluster.leader();
        List<Integer> others = cluster.ids().stream().filter(id -> id != old).toList();
        ZooKeeper setup = client(old);
        setup.create("/trunc", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        long parentZxid = setup.exists("/trunc", false).getCzxid();
        for (int id : others) {
            assertThat(existsAfterSync(client(id), "/trunc")).isNotNull();
        }
        ZooKeeper atOld = client(old); // its session must be committed before the leader is cut off

        for (int id : others) {
            cluster.link(old, id).blackhole();
        }
        CompletableFuture<Integer> lost = new CompletableFuture<>();
        atOld.create("/trunc/uncommitted", bytes("never"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                (rc, path, ctx, name) -> lost.complete(rc), null);
        await("the isolated leader logs the proposal").atMost(TIMEOUT)
                .until(() -> logHolds(cluster, old, "/trunc/uncommitted"));
        assertThat(lost).as("no quorum, no answer").isNotDone();
        assertThat(others.stream().anyMatch(id -> {
            try {
                return logHolds(cluster, id, "/trunc/uncommitted");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        })).as("the proposal never left the leader").isFalse();

        cluster.kill9(old);
        assertThat(lost.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("the write never succeeded")
                .isNotEqualTo(KeeperException.Code.OK.intValue());
        await("the two others elect a new leader").atMost(TIMEOUT)
                .until(() -> others.contains(cluster.leader()) && others.stream().allMatch(id -> serving(cluster, id)));
        int leader = cluster.leader();
        for (int id : others) {
            cluster.link(old, id).restore();
        }
        ZooKeeper atNew = client(leader);
        atNew.create("/trunc/committed", bytes("yes"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        cluster.start(old);
        cluster.awaitServing(Duration.ofSeconds(60));
        assertThat(cluster.mode(old)).isEqualTo("follower");
        String trunc = cluster.consoleSinceLastStart(old).stream().filter(l -> l.contains("by TRUNC to zxid"))
                .findFirst().orElse("");
        assertThat(trunc).as("server %d syncs by TRUNC", old).isNotEmpty();
        System.out.println("server " + old + ": " + trunc);
        long truncZxid = Long.parseUnsignedLong(trunc.substring(trunc.indexOf("zxid 0x") + 7).trim().split("\\s")[0],
                16);
        assertThat(truncZxid >>> 32).as("truncated back into the isolated leader's own epoch")
                .isEqualTo(parentZxid >>> 32);
        assertThat(truncZxid).as("keeping what was committed").isGreaterThanOrEqualTo(parentZxid);
        for (int id : cluster.ids()) {
            ZooKeeper reader = client(id);
            assertThat(existsAfterSync(reader, "/trunc/committed")).as("server %d has the new write", id)
                    .isNotNull();
            assertThat(reader.exists("/trunc/uncommitted", false)).as("server %d has no uncommitted write", id)
                    .isNull();
        }
        await("every server at the same zxid").atMost(TIMEOUT).until(() -> cluster.ids().stream()
                .map(id -> cluster.server(id).zxid()).distinct().count() == 1);
    }
}
