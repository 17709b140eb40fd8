package io.ensemble.cluster;

import io.ensemble.testing.Clients;
import io.ensemble.testing.ConsolesOnFailure;
import io.ensemble.testing.EnsembleCluster;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Servers of a real 3-server ensemble going down and coming back: a follower far behind catches up by SNAP, one
 * server down leaves a serving quorum, two down stop the last one from serving until a second comes back.
 */
class CatchUpIT {
    private static final Duration START = Duration.ofSeconds(60);
    private static final String NOT_SERVING = "This ZooKeeper instance is not currently serving requests";

    private EnsembleCluster cluster;

    @RegisterExtension
    final ConsolesOnFailure consolesOnFailure = new ConsolesOnFailure(() -> cluster, 60);

    private void startThree(Path tempDir) throws Exception {
        cluster = EnsembleCluster.builder(tempDir).voters(3).set("maxSessionTimeout", "30000").build();
        cluster.startAll();
        cluster.awaitServing(START);
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aFollowerDownForMoreThanTheDiffWindowCatchesUpBySnapshot(@TempDir Path tempDir) throws Exception {
        startThree(tempDir);
        int leader = cluster.leader();
        int follower = cluster.ids().stream().filter(id -> id != leader).findFirst().orElseThrow();
        int nodes = 700; // > the leader's 500 in-memory transactions
        try (ZooKeeper zk = Clients.connect(cluster.connectString(leader), 30_000)) {
            zk.create("/catchup", "root".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            sync(zk, "/catchup");
        }
        // It has /catchup before it goes down: what it misses is exactly the 700 creates (and the sessions).
        try (ZooKeeper zk = Clients.connect(cluster.connectString(follower), 30_000)) {
            sync(zk, "/catchup");
            assertThat(zk.exists("/catchup", false)).isNotNull();
        }
        cluster.kill9(follower);
        try (ZooKeeper zk = Clients.connect(cluster.connectString(leader), 30_000)) {
            createAsync(zk, "/catchup/n-", nodes);
        }

        int mark = consoleLines(follower);
        cluster.start(follower);
        cluster.awaitServing(START);
        assertThat(cluster.mode(follower)).isEqualTo("follower");
        String syncLine = syncLine(follower, mark);
        assertThat(syncLine).as("how server %d synced after missing %d writes", follower, nodes)
                .contains("syncing with leader " + leader + " by SNAP at zxid ");

        try (ZooKeeper zk = Clients.connect(cluster.connectString(follower), 30_000)) {
            sync(zk, "/catchup");
            List<String> children = zk.getChildren("/catchup", false);
            assertThat(children).hasSize(nodes);
            Collections.sort(children);
            for (int i = 0; i < nodes; i++) {
                String name = children.get(i);
                assertThat(new String(zk.getData("/catchup/" + name, false, null), StandardCharsets.UTF_8))
                        .as("data of %s", name).isEqualTo(name.substring(0, name.lastIndexOf('-') + 1));
            }
            assertThat(zk.getData("/catchup", false, null)).isEqualTo("root".getBytes());
        }
        // and it keeps up after the snapshot: a new write reaches it
        try (ZooKeeper zk = Clients.connect(cluster.connectString(leader), 30_000)) {
            zk.create("/catchup/after-snap", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        try (ZooKeeper zk = Clients.connect(cluster.connectString(follower), 30_000)) {
            sync(zk, "/catchup");
            assertThat(zk.exists("/catchup/after-snap", false)).isNotNull();
            assertThat(zk.getChildren("/catchup", false)).hasSize(nodes + 1);
        }
    }

    @Test
    void withOneOfThreeDownTheOtherTwoServeWrites(@TempDir Path tempDir) throws Exception {
        startThree(tempDir);
        int leader = cluster.leader();
        int down = cluster.ids().stream().filter(id -> id != leader).findFirst().orElseThrow();
        cluster.kill9(down);
        List<Integer> up = cluster.ids().stream().filter(id -> id != down).toList();

        // The two survivors still serve (no new election: the leader keeps its quorum)...
        assertThat(cluster.mode(leader)).isEqualTo("leader");
        cluster.awaitServing(Duration.ofSeconds(10));
        // ... and take writes through each of them, seen on the other.
        for (int id : up) {
            try (ZooKeeper zk = Clients.connect(cluster.connectString(id), 30_000)) {
                zk.create("/minority-down-" + id, ("via " + id).getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
            }
        }
        // Stay serving for a while (longer than syncLimit x tickTime = 1 s) with one server gone.
        await("the two survivors keep serving").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> up.stream().allMatch(id -> !cluster.mode(id).isEmpty()));
        for (int id : up) {
            try (ZooKeeper zk = Clients.connect(cluster.connectString(id), 30_000)) {
                sync(zk, "/");
                for (int writer : up) {
                    assertThat(zk.getData("/minority-down-" + writer, false, null)).as("server %d", id)
                            .isEqualTo(("via " + writer).getBytes());
                }
            }
        }
    }

    @Test
    void withTwoOfThreeDownTheLastStopsServingUntilASecondComesBack(@TempDir Path tempDir) throws Exception {
        startThree(tempDir);
        int leader = cluster.leader();
        List<Integer> followers = cluster.ids().stream().filter(id -> id != leader).toList();
        try (ZooKeeper zk = Clients.connect(cluster.connectString(), 30_000)) {
            zk.create("/before", "intact".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            createAsync(zk, "/before/n-", 50);
        }
        // A client of the one server that will be left, connected while it still serves.
        try (ZooKeeper lone = Clients.connect(cluster.connectString(leader), 30_000)) {
            sync(lone, "/before");
            assertThat(lone.getChildren("/before", false)).hasSize(50);

            // Both followers go: the leader has lost its quorum and must stop serving.
            cluster.kill9(followers.get(0));
            cluster.kill9(followers.get(1));
            await("the lone server stops serving").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> cluster.server(leader).fourLetterWord("srvr").contains(NOT_SERVING));
            assertThat(cluster.mode(leader)).isEmpty();
            assertThat(cluster.server(leader).isAlive()).isTrue();

            // A write cannot succeed: it fails with connection loss, or gets no answer at all.
            CompletableFuture<Integer> rc = new CompletableFuture<>();
            lone.create("/during-outage", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                    (AsyncCallback.StringCallback) (code, path, ctx, name) -> rc.complete(code), null);
            try {
                int code = rc.get(5, TimeUnit.SECONDS);
                assertThat(KeeperException.Code.get(code)).as("result of a write without a quorum")
                        .isIn(KeeperException.Code.CONNECTIONLOSS, KeeperException.Code.OPERATIONTIMEOUT);
            } catch (TimeoutException noAnswer) {
                // acceptable: the client is still trying to reach a serving server
            }
            // and a fresh client gets no session from it at all
            CompletableFuture<Void> connected = new CompletableFuture<>();
            try (ZooKeeper fresh = new ZooKeeper(cluster.connectString(leader), 30_000, e -> {
                if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                    connected.complete(null);
                }
            })) {
                assertThat(connected).as("a session with the server without quorum")
                        .failsWithin(Duration.ofSeconds(3)).withThrowableOfType(TimeoutException.class);
            }

            // One follower back: a quorum of 2 again.
            cluster.start(followers.get(0));
            cluster.awaitServing(START);
            assertThat(cluster.ids().stream().map(cluster::mode).sorted().toList())
                    .containsExactly("", "follower", "leader");
        }
        try (ZooKeeper zk = Clients.connect(cluster.connectString(), 30_000)) {
            zk.create("/after", "ok".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        for (int id : cluster.ids()) {
            if (!cluster.server(id).isAlive()) {
                continue;
            }
            try (ZooKeeper zk = Clients.connect(cluster.connectString(id), 30_000)) {
                sync(zk, "/");
                assertThat(zk.getData("/before", false, null)).as("server %d", id).isEqualTo("intact".getBytes());
                assertThat(zk.getChildren("/before", false)).as("server %d", id).hasSize(50);
                assertThat(zk.getData("/after", false, null)).as("server %d", id).isEqualTo("ok".getBytes());
            }
        }
    }

    // ---- helpers ----

    /** {@code n} sequential creates pipelined (async); fails unless every one is acknowledged. */
    private static void createAsync(ZooKeeper zk, String prefix, int n) throws Exception {
        List<CompletableFuture<String>> results = new ArrayList<>();
        String name = prefix.substring(prefix.lastIndexOf('/') + 1);
        for (int i = 0; i < n; i++) {
            CompletableFuture<String> f = new CompletableFuture<>();
            zk.create(prefix, name.getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT_SEQUENTIAL, (rc, path, ctx, created) -> {
                        if (rc == KeeperException.Code.OK.intValue()) {
                            f.complete(created);
                        } else {
                            f.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), path));
                        }
                    }, null);
            results.add(f);
        }
        try {
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            fail("an async create failed", e.getCause());
        }
    }

    private static void sync(ZooKeeper zk, String path) throws Exception {
        CompletableFuture<Integer> synced = new CompletableFuture<>();
        zk.sync(path, (rc, p, ctx) -> synced.complete(rc), null);
        assertThat(synced.get(30, TimeUnit.SECONDS)).as("sync rc").isEqualTo(KeeperException.Code.OK.intValue());
    }


    private int consoleLines(int id) throws IOException {
        return Files.readAllLines(cluster.console(id), StandardCharsets.UTF_8).size();
    }

    /** The sync line the server logged after console line {@code mark}, or "". */
    private String syncLine(int id, int mark) throws IOException {
        List<String> lines = Files.readAllLines(cluster.console(id), StandardCharsets.UTF_8);
        return lines.subList(Math.min(mark, lines.size()), lines.size()).stream()
                .filter(l -> l.contains("quorum: syncing with leader")).reduce((a, b) -> b).orElse("");
    }
}
