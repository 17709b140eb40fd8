package io.ensemble.cluster;

import io.ensemble.testing.Clients;
import io.ensemble.testing.EnsembleCluster;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** A 3-server ensemble of real JVMs on loopback: roles, and writes through any server seen by all after sync(). */
class ReplicationIT {
    @TempDir
    static Path dir;
    static EnsembleCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = EnsembleCluster.builder(dir).voters(3).build();
        cluster.startAll();
        cluster.awaitServing(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void oneLeaderAndTwoFollowers() {
        List<String> modes = cluster.ids().stream().map(cluster::mode).sorted().toList();
        assertThat(modes).containsExactly("follower", "follower", "leader");
    }

    @Test
    void writeOnAFollowerIsSeenEverywhereAfterSync() throws Exception {
        int leader = cluster.leader();
        List<Integer> followers = cluster.ids().stream().filter(id -> id != leader).toList();
        try (ZooKeeper writer = Clients.connect(cluster.connectString(followers.get(0)), 10_000);
             ZooKeeper other = Clients.connect(cluster.connectString(followers.get(1)), 10_000);
             ZooKeeper atLeader = Clients.connect(cluster.connectString(leader), 10_000)) {
            writer.create("/replicated", "v1".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            for (ZooKeeper reader : List.of(other, atLeader)) {
                CompletableFuture<Void> synced = new CompletableFuture<>();
                reader.sync("/replicated", (rc, path, ctx) -> synced.complete(null), null);
                synced.get();
                assertThat(reader.getData("/replicated", false, null)).isEqualTo("v1".getBytes());
            }
        }
    }
}
