package io.ensemble.admin;

import io.ensemble.server.EnsembleServer;
import io.helidon.microprofile.testing.AddBean;
import io.helidon.microprofile.testing.AddConfig;
import io.helidon.microprofile.testing.junit5.HelidonTest;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Health, metrics and admin commands on the Helidon port of a running standalone server. */
@HelidonTest
@AddBean(EmbeddedServer.class)
@AddConfig(key = "ensemble.admin.heartbeatIntervalMs", value = "50")
// random HTTP port on loopback, set per class: a classpath test microprofile-config.properties at ordinal 1000
// would also override server.port for the config tests that read the default sources
@AddConfig(key = "server.port", value = "-1")
@AddConfig(key = "server.host", value = "127.0.0.1")
@AddConfig(key = "ensemble.admin.livenessTimeoutMs", value = "1000")
@Timeout(120)
class AdminEndpointsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    EnsembleServer server;

    private ZooKeeper zk;

    @AfterEach
    void closeClient() throws InterruptedException {
        if (zk != null) {
            zk.close(2_000);
        }
    }

    private ZooKeeper connect() throws IOException {
        CountDownLatch connected = new CountDownLatch(1);
        zk = new ZooKeeper("127.0.0.1:" + server.clientPort(), 4000, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        await().atMost(WAIT).until(() -> connected.getCount() == 0);
        return zk;
    }

    @Test
    void probesAreUpWithTheRoleData() {
        await().atMost(WAIT).until(() -> Http.get("/health/ready").status() == 200);
        JsonObject ready = Http.get("/health/ready").json();
        assertThat(ready.getString("status")).isEqualTo("UP");
        JsonObject data = ready.getJsonArray("checks").getJsonObject(0).getJsonObject("data");
        assertThat(data.getString("role")).isEqualTo("standalone");
        assertThat(data.getString("zxid")).startsWith("0x");
        // Helidon writes long check data as JSON strings
        assertThat(data.getString("epoch")).isEqualTo("0");
        assertThat(data.getString("leader_id")).isEqualTo("-1");
        assertThat(data.getString("synced_followers")).isEqualTo("0");
        assertThat(data.getBoolean("serving")).isTrue();
        assertThat(Http.get("/health/started").status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> Http.get("/health/live").status() == 200);
    }

    @Test
    void aStuckPipelineMakesLiveDownAndItComesBack() throws Exception {
        await().atMost(WAIT).until(() -> Http.get("/health/live").status() == 200);
        CountDownLatch release = new CountDownLatch(1);
        // a report that blocks the processor thread: no request, heartbeat or report gets through until released
        var blocked = server.inspectAsync(s -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return s;
        });
        try {
            await().atMost(WAIT).until(() -> Http.get("/health/live").status() == 503);
            JsonObject live = Http.get("/health/live").json();
            assertThat(live.getString("status")).isEqualTo("DOWN");
            assertThat(Http.get("/health/ready").status()).as("readiness follows the role, not the pipeline")
                    .isEqualTo(200);
        } finally {
            release.countDown();
        }
        blocked.get();
        await().atMost(WAIT).until(() -> Http.get("/health/live").status() == 200);
    }

    @Test
    void metricsUseZooKeeperNamesAndMove() throws Exception {
        String text = Http.get("/metrics").body();
        for (String name : new String[] {"znode_count", "watch_count", "ephemerals_count", "outstanding_requests",
                "approximate_data_size", "num_alive_connections", "packets_received", "packets_sent",
                "open_file_descriptor_count", "max_file_descriptor_count", "avg_latency", "min_latency",
                "max_latency", "quorum_size", "uptime", "global_sessions", "fsync_count", "server_state", "learners",
                "synced_followers", "synced_observers", "pending_syncs", "election_time_count", "election_time_sum"}) {
            assertThat(text).as(name).containsPattern("(?m)^" + name + "\\{[^}]*mp_scope=\"application\"");
        }
        assertThat(value(text, "server_state", "state=\"standalone\"")).isEqualTo(1.0);
        assertThat(value(text, "server_state", "state=\"leader\"")).isEqualTo(0.0);
        assertThat(value(text, "quorum_size", "")).isEqualTo(1.0);
        assertThat(value(text, "election_time_count", "")).as("a standalone server never elects").isEqualTo(0.0);
        assertThat(value(text, "synced_followers", "")).isEqualTo(0.0);

        double nodes = value(text, "znode_count", "");
        ZooKeeper client = connect();
        client.create("/metrics-test", new byte[10], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        await().atMost(WAIT).untilAsserted(() -> {
            String now = Http.get("/metrics").body();
            assertThat(value(now, "znode_count", "")).isEqualTo(nodes + 1);
            assertThat(value(now, "ephemerals_count", "")).isGreaterThanOrEqualTo(1.0);
            assertThat(value(now, "global_sessions", "")).isGreaterThanOrEqualTo(1.0);
            assertThat(value(now, "num_alive_connections", "")).isGreaterThanOrEqualTo(1.0);
            assertThat(value(now, "fsync_count", "")).isGreaterThanOrEqualTo(1.0);
        });
        client.getData("/metrics-test", false, null);
        await().atMost(WAIT).untilAsserted(() -> {
            String now = Http.get("/metrics").body();
            // ZooKeeper's Prometheus summaries: a count and quantiles of read and update latency
            assertThat(value(now, "updatelatency_count", "")).isGreaterThanOrEqualTo(1.0);
            assertThat(value(now, "readlatency_count", "")).isGreaterThanOrEqualTo(1.0);
            assertThat(now).containsPattern("(?m)^readlatency\\{[^}]*quantile=\"0.99\"");
        });
    }

    /** The value of the first sample of {@code name} whose labels contain {@code label}. */
    private static double value(String text, String name, String label) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)").matcher(text);
        while (m.find()) {
            if (m.group(1).contains(label)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no sample " + name + "{" + label + "} in\n" + text);
    }

    @Test
    void commandsListLinksAndAnswerByNameAndAlias() {
        Http.Reply list = Http.get("/commands");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains("\"link\":\"/commands/monitor\"").contains("\"aliases\":[\"mntr\"]");

        for (String name : new String[] {"mntr", "monitor"}) {
            Http.Reply r = Http.get("/commands/" + name);
            assertThat(r.status()).isEqualTo(200);
            JsonObject o = r.json();
            assertThat(o.getString("command")).isEqualTo("monitor");
            assertThat(o.isNull("error")).isTrue();
            assertThat(o.getString("server_state")).isEqualTo("standalone");
            assertThat(o.containsKey("znode_count")).isTrue();
            assertThat(o.containsKey("watch_count")).isTrue();
            assertThat(o.containsKey("num_alive_connections")).isTrue();
        }
        JsonObject srvr = Http.get("/commands/srvr").json();
        assertThat(srvr.getString("command")).isEqualTo("server_stats");
        assertThat(srvr.getString("version")).startsWith("3.9");
        assertThat(srvr.getBoolean("read_only")).isFalse();
        assertThat(srvr.getJsonObject("server_stats").getString("server_state")).isEqualTo("standalone");
        assertThat(srvr.getJsonNumber("node_count").intValue()).isGreaterThanOrEqualTo(4);

        assertThat(Http.get("/commands/ruok").json().getString("command")).isEqualTo("ruok");
        assertThat(Http.get("/commands/isro").json().getBoolean("read_only")).isFalse();
        assertThat(Http.get("/commands/conf").json().getJsonNumber("client_port").intValue())
                .isEqualTo(server.clientPort());
        JsonObject zab = Http.get("/commands/zabstate").json();
        assertThat(zab.getString("zab_state")).isEqualTo("BROADCAST");
        assertThat(Http.get("/commands/voting_view").json().getJsonObject("current_config")).isEmpty();
        assertThat(Http.get("/commands/lead").json().getBoolean("is_leader")).isFalse();
        assertThat(Http.get("/commands/envi").json().getString("zookeeper.version")).startsWith("3.9");
        Http.Reply lsnp = Http.get("/commands/lsnp");
        assertThat(lsnp.status()).isEqualTo(200);
        assertThat(lsnp.json().getString("command")).isEqualTo("last_snapshot");
    }

    @Test
    void unknownCommandIs404() {
        Http.Reply r = Http.get("/commands/no_such_thing");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().getString("command")).isEqualTo("no_such_thing");
        assertThat(r.json().getString("error")).contains("no_such_thing");
    }

    @Test
    void watchCommandsAgreeWithTheFourLetterWords() throws Exception {
        ZooKeeper client = connect();
        client.create("/watched", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        client.getData("/watched", true, null);
        String sid = Long.toString(client.getSessionId());
        String hex = "0x" + Long.toHexString(client.getSessionId());

        JsonObject wchc = Http.get("/commands/wchc").json();
        assertThat(wchc.getString("command")).isEqualTo("watches");
        assertThat(wchc.getJsonObject("session_id_to_watched_paths").getJsonArray(sid).getString(0))
                .isEqualTo("/watched");
        JsonObject wchp = Http.get("/commands/watches_by_path").json();
        assertThat(wchp.getJsonObject("path_to_session_ids").getJsonArray("/watched").getJsonNumber(0).longValue())
                .isEqualTo(client.getSessionId());
        JsonObject wchs = Http.get("/commands/wchs").json();
        assertThat(wchs.getInt("num_total_watches")).isGreaterThanOrEqualTo(1);

        assertThat(fourLetterWord("wchc")).contains(hex + "\n\t/watched\n");
        assertThat(fourLetterWord("wchp")).contains("/watched\n\t" + hex + "\n");
        assertThat(fourLetterWord("wchs")).contains("Total watches:" + wchs.getInt("num_total_watches"));

        JsonObject cons = Http.get("/commands/cons").json();
        assertThat(cons.getJsonArray("connections").toString()).contains("\"session_id\":\"" + hex + "\"");
        JsonObject dump = Http.get("/commands/dump").json();
        assertThat(dump.containsKey("session_id_to_ephemeral_paths")).isTrue();
        assertThat(dump.getJsonObject("expiry_time_to_session_ids").toString()).contains(sid);

        String mntr = fourLetterWord("mntr");
        JsonObject monitor = Http.get("/commands/mntr").json();
        assertThat(mntr).contains("zk_znode_count\t" + monitor.getInt("znode_count") + "\n");
        assertThat(mntr).contains("zk_quorum_size\t1\n").doesNotContain("zk_peer_state");
        assertThat(monitor.getInt("quorum_size")).isEqualTo(1);
    }

    private String fourLetterWord(String word) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.clientPort())) {
            s.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
