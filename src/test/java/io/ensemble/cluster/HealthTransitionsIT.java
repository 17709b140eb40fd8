package io.ensemble.cluster;

import io.ensemble.testing.AdminHttp;
import io.ensemble.testing.Clients;
import io.ensemble.testing.ConsolesOnFailure;
import io.ensemble.testing.EnsembleCluster;
import io.ensemble.testing.PrometheusText;
import jakarta.json.JsonObject;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP port of real server JVMs in a 3-server ensemble, as Kubernetes and Prometheus see it: readiness follows
 * the quorum (DOWN while a server is electing or syncing), liveness does not (a server without a quorum is still
 * live), and the metrics and admin commands report the quorum.
 */
class HealthTransitionsIT {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration FAILOVER = Duration.ofSeconds(30);
    /** Liveness bound of the servers: a server whose pipeline stopped answering would be DOWN after this long. */
    private static final long LIVENESS_BOUND_MS = 1000;

    private EnsembleCluster cluster;

    @RegisterExtension
    final ConsolesOnFailure consolesOnFailure = new ConsolesOnFailure(() -> cluster, 80);

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void readinessFollowsTheQuorumWhileLivenessDoesNot(@TempDir Path dir) throws Exception {
        cluster = EnsembleCluster.builder(dir).voters(3).adminServer()
                .set("ensemble.admin.heartbeatIntervalMs", "100")
                .set("ensemble.admin.livenessTimeoutMs", String.valueOf(LIVENESS_BOUND_MS))
                .build();
        cluster.startAll();
        cluster.awaitServing(START);
        for (int id : cluster.ids()) {
            await("server " + id + " ready").atMost(START).until(() -> get(id, "/health/ready").status() == 200);
            JsonObject ready = get(id, "/health/ready").json();
            assertThat(ready.getString("status")).isEqualTo("UP");
            assertThat(checkData(ready).getString("role")).as("server %d", id).isEqualTo(cluster.mode(id));
            assertThat(get(id, "/health/live").status()).isEqualTo(200);
        }
        int leader = cluster.leader();
        List<Integer> followers = others(leader);
        assertLeaderCommands(leader, followers);
        metricsMoveUnderWrites(leader, followers.getFirst());
        for (int id : cluster.ids()) {
            monitorAgreesWithMntr(id);
        }
        Map<Integer, Double> electionsBefore = new HashMap<>();
        followers.forEach(f -> electionsBefore.put(f, metrics(f).value("election_time_count")));

        // kill -9 the leader: each follower leaves its role, elects, syncs; not ready in between.
        cluster.kill9(leader);
        Map<Integer, List<Integer>> readiness = new LinkedHashMap<>();
        followers.forEach(f -> readiness.put(f, new ArrayList<>()));
        await("both followers go not-ready, then ready under a new leader").atMost(FAILOVER)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .until(() -> {
                    readiness.forEach((f, seen) -> {
                        int status = get(f, "/health/ready").status();
                        if (seen.isEmpty() || seen.getLast() != status) {
                            seen.add(status);
                        }
                    });
                    return readiness.values().stream().allMatch(HealthTransitionsIT::downThenUp);
                });
        int second = cluster.leader();
        assertThat(second).isIn(followers);
        for (int f : followers) {
            assertThat(get(f, "/health/live").status()).as("server %d stayed live", f).isEqualTo(200);
            assertThat(metrics(f).value("election_time_count")).as("server %d's election_time_count", f)
                    .isGreaterThan(electionsBefore.get(f));
        }
        assertThat(get(second, "/commands/leader").json().getBoolean("is_leader")).isTrue();
        assertThat(metrics(second).value("quorum_size")).isEqualTo(3.0);
        assertThat(metrics(second).value("synced_followers")).isEqualTo(1.0);

        // kill -9 the new leader too: the survivor has no quorum. It stays live (well past the liveness bound) and
        // not ready, and its commands say it does not serve.
        cluster.kill9(second);
        int survivor = others(leader).stream().filter(id -> id != second).findFirst().orElseThrow();
        await("the survivor goes not-ready").atMost(FAILOVER).until(() -> get(survivor, "/health/ready").status() == 503);
        await("the survivor stays live and not ready").during(Duration.ofMillis(3 * LIVENESS_BOUND_MS))
                .atMost(Duration.ofMillis(3 * LIVENESS_BOUND_MS + 5000)).pollInterval(Duration.ofMillis(100))
                .until(() -> get(survivor, "/health/live").status() == 200
                        && get(survivor, "/health/ready").status() == 503);
        JsonObject notReady = get(survivor, "/health/ready").json();
        assertThat(notReady.getString("status")).isEqualTo("DOWN");
        assertThat(checkData(notReady).getString("role")).isEqualTo("looking");
        assertThat(checkData(notReady).getBoolean("serving")).isFalse();
        assertThat(get(survivor, "/commands/mntr").status()).isEqualTo(503);
        assertThat(cluster.server(survivor).fourLetterWord("ruok")).isEqualTo("imok");
        PrometheusText looking = metrics(survivor);
        assertThat(looking.value("server_state", "state", "looking")).isEqualTo(1.0);
        assertThat(looking.value("server_state", "state", "follower")).isEqualTo(0.0);
    }

    /** leader, voting_view, zabstate and observers on the leader and the followers. */
    private void assertLeaderCommands(int leader, List<Integer> followers) {
        JsonObject lead = get(leader, "/commands/leader").json();
        assertThat(lead.getBoolean("is_leader")).isTrue();
        assertThat(lead.getJsonNumber("leader_id").longValue()).isEqualTo(leader);
        assertThat(lead.getString("leader_ip")).isEqualTo("127.0.0.1");
        for (int f : followers) {
            JsonObject l = get(f, "/commands/lead").json();
            assertThat(l.getBoolean("is_leader")).as("server %d", f).isFalse();
            assertThat(l.getJsonNumber("leader_id").longValue()).as("server %d", f).isEqualTo(leader);
            assertThat(get(f, "/commands/zabstate").json().getString("zab_state")).isEqualTo("BROADCAST");
        }
        JsonObject view = get(leader, "/commands/voting_view").json().getJsonObject("current_config");
        assertThat(view.keySet()).containsExactly("1", "2", "3");
        for (int id : cluster.ids()) {
            EnsembleCluster.Ports p = cluster.ports(id);
            assertThat(view.getString(String.valueOf(id))).startsWith("127.0.0.1:" + p.quorum() + ":"
                    + p.election() + ":participant");
        }
        assertThat(view.getString(String.valueOf(leader)))
                .endsWith(";127.0.0.1:" + cluster.ports(leader).client());
        JsonObject zab = get(leader, "/commands/zabstate").json();
        assertThat(zab.getString("zab_state")).isEqualTo("BROADCAST");
        assertThat(zab.getBoolean("voting_member")).isTrue();
        assertThat(zab.getString("quorum_address")).isEqualTo("127.0.0.1:" + cluster.ports(leader).quorum());
        assertThat(get(leader, "/commands/obsr").json().getInt("synced_observers")).isZero();
    }

    /** /metrics parses as Prometheus text, reports the quorum, and its counters move under writes. */
    private void metricsMoveUnderWrites(int leader, int follower) throws Exception {
        PrometheusText before = metrics(leader);
        assertThat(before.types()).containsEntry("election_time", "summary");
        assertThat(before.value("server_state", "state", "leader")).isEqualTo(1.0);
        assertThat(before.value("quorum_size")).isEqualTo(3.0);
        await("both followers synced with the leader").atMost(START)
                .until(() -> metrics(leader).value("synced_followers") == 2.0);
        assertThat(metrics(leader).value("learners")).isEqualTo(2.0);
        assertThat(metrics(follower).value("server_state", "state", "follower")).isEqualTo(1.0);
        double followerLogged = metrics(follower).value("txn_logged_count");

        int writes = 20;
        try (ZooKeeper zk = Clients.connect(cluster.connectString(leader), 30_000)) {
            for (int i = 0; i < writes; i++) {
                zk.create("/health-" + i, new byte[10], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
        }
        await("the leader's and a follower's counters move").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            PrometheusText now = metrics(leader);
            assertThat(now.value("packets_received")).isGreaterThanOrEqualTo(before.value("packets_received") + writes);
            assertThat(now.value("txn_logged_count")).isGreaterThanOrEqualTo(before.value("txn_logged_count") + writes);
            assertThat(now.value("znode_count")).isGreaterThanOrEqualTo(before.value("znode_count") + writes);
            assertThat(metrics(follower).value("txn_logged_count")).isGreaterThanOrEqualTo(followerLogged + writes);
        });
    }

    /** /commands/monitor and the mntr four-letter word report the same server. */
    private void monitorAgreesWithMntr(int id) {
        await("monitor and mntr agree on server " + id).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, String> mntr = mntr(id);
            JsonObject monitor = get(id, "/commands/monitor").json();
            assertThat(mntr.get("zk_server_state")).isEqualTo(monitor.getString("server_state"))
                    .isEqualTo(cluster.mode(id));
            assertThat(mntr.get("zk_znode_count")).isEqualTo(String.valueOf(monitor.getInt("znode_count")));
            assertThat(mntr.get("zk_quorum_size")).isEqualTo("3").isEqualTo(String.valueOf(monitor.getInt("quorum_size")));
            assertThat(mntr.get("zk_peer_state")).isEqualTo(monitor.getString("peer_state"))
                    .endsWith(" - broadcast");
            assertThat(Long.parseLong(mntr.get("zk_cnt_election_time"))).isPositive();
            if ("leader".equals(cluster.mode(id))) {
                assertThat(mntr.get("zk_synced_followers")).isEqualTo("2")
                        .isEqualTo(String.valueOf(monitor.getInt("synced_followers")));
                assertThat(mntr.get("zk_learners")).isEqualTo("2");
                assertThat(mntr.get("zk_pending_syncs")).isEqualTo("0");
            } else {
                assertThat(mntr).doesNotContainKey("zk_synced_followers");
            }
        });
    }

    private Map<String, String> mntr(int id) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : cluster.server(id).fourLetterWord("mntr").split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                m.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        return m;
    }

    private PrometheusText metrics(int id) {
        AdminHttp.Reply r = get(id, "/metrics");
        assertThat(r.status()).as("/metrics of server %d", id).isEqualTo(200);
        return PrometheusText.parse(r.body());
    }

    private AdminHttp.Reply get(int id, String path) {
        return AdminHttp.get(cluster.httpPort(id), path);
    }

    private static JsonObject checkData(JsonObject health) {
        return health.getJsonArray("checks").getJsonObject(0).getJsonObject("data");
    }

    /** Statuses seen in order (repeats collapsed): ready, not ready at some point, and ready again at the end. */
    private static boolean downThenUp(List<Integer> seen) {
        int down = seen.indexOf(503);
        return down >= 0 && seen.getLast() == 200;
    }

    private List<Integer> others(int id) {
        return cluster.ids().stream().filter(i -> i != id).toList();
    }
}
