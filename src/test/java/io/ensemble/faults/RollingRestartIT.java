package io.ensemble.faults;

import io.ensemble.testing.EnsembleCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rolling restart of 3 servers under a recorded load, as an operator does it: each server in turn (followers
 * first, the leader last) stopped gracefully and started again, the next one only once it serves and has caught up.
 * No client request may fail except by a retryable connection loss or timeout (counted), every request that met one
 * must get its answer when asked again, no session may expire, and the whole history passes the
 * {@link io.ensemble.checker.Checker} against all three final trees. Nightly: several passes.
 */
class RollingRestartIT {
    private static final Duration SERVE = Duration.ofSeconds(60);
    private static final String ROOT = "/rolling";
    private static final int WORKERS = 5;

    /** Static, so that it outlives the test method: the consoles are printed after a failure. */
    @TempDir
    static Path dir;
    @RegisterExtension
    final FaultEnsemble ensemble = new FaultEnsemble("RollingRestartIT");
    EnsembleCluster cluster;

    @Test
    void noRequestFailsBeyondConnectionLossRetriesDuringARollingRestart() throws Exception {
        int passes = FaultScale.rounds(1, 5);
        cluster = ensemble.start(FaultEnsemble.threeServers(dir), SERVE);
        RecordedLoad load = RecordedLoad.startOnFreshRoot(LoadPlan.standard(ROOT), cluster.connectString(), WORKERS);
        try {
            for (int pass = 0; pass < passes; pass++) {
                for (int id : followersThenLeader()) {
                    RecordedLoad.soak();
                    load.awaitAcks(System.nanoTime(), WORKERS, SERVE);
                    restart(id);
                    ensemble.faultInjected();
                    System.out.printf("pass %d: server %d restarted, now %s; %s%n", pass, id, cluster.mode(id),
                            load.tally());
                }
            }
            load.awaitAcks(System.nanoTime(), WORKERS, SERVE);
        } finally {
            load.stop();
        }
        LoadTally tally = load.tally();
        System.out.println("rolling restart: " + tally);
        assertThat(tally.unexpected()).as("requests that failed other than by a retryable loss").isEmpty();
        assertThat(tally.count("SESSIONEXPIRED")).as("expired sessions").isZero();
        assertThat(tally.abandoned.sum()).as("requests given up").isZero();
        assertThat(tally.retriedThenAnswered.sum()).as("requests answered after a retry, of those that met a loss")
                .isEqualTo(tally.hitByLoss.sum());
        ensemble.check(load.history(), SERVE);
    }

    private List<Integer> followersThenLeader() {
        int leader = cluster.leader();
        assertThat(leader).as("a leader").isPositive();
        List<Integer> order = new ArrayList<>(cluster.ids().stream().filter(id -> id != leader).toList());
        order.add(leader);
        return order;
    }

    /** SIGTERM, start, then wait until it serves and has applied what the leader had when it came back. */
    private void restart(int id) throws Exception {
        cluster.server(id).stop();
        cluster.start(id);
        await("server " + id + " serves again").atMost(SERVE).pollInterval(Duration.ofMillis(50))
                .until(() -> !cluster.mode(id).isEmpty());
        int leader = await("a leader").atMost(SERVE).until(cluster::leader, l -> l > 0);
        long leaderZxid = cluster.server(leader).zxid();
        await("server " + id + " caught up to zxid 0x" + Long.toHexString(leaderZxid)).atMost(SERVE)
                .until(() -> cluster.server(id).zxid() >= leaderZxid);
    }
}
