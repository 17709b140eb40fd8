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
 * {@code kill -9} of the leader of 3 real servers, round after round (10; 50 nightly), under a recorded load of five
 * clients (reads, unconditional writes, compare-and-set on four contended registers, sequential creates). Each round
 * a new leader must acknowledge writes sent after the kill, and the killed server must come back as a follower. At
 * the end the whole history must pass the {@link io.ensemble.checker.Checker} against every server's final tree:
 * linearizable updates, sequentially consistent reads, no lost acknowledged write, no reused sequential name, equal
 * replicas.
 */
class LeaderKillRoundsIT {
    private static final Duration SERVE = Duration.ofSeconds(60);
    private static final String ROOT = "/kill";
    private static final int WORKERS = 5;

    /** Static, so that it outlives the test method: the consoles are printed after a failure. */
    @TempDir
    static Path dir;
    @RegisterExtension
    final FaultEnsemble ensemble = new FaultEnsemble("LeaderKillRoundsIT");
    EnsembleCluster cluster;

    @Test
    void everyRoundANewLeaderServesAndTheWholeHistoryChecksOut() throws Exception {
        int rounds = FaultScale.rounds(10, 50);
        // sessions outlive a failover and a restart (a session that expires anyway is replaced by its worker)
        cluster = ensemble.start(FaultEnsemble.threeServers(dir), SERVE);
        RecordedLoad load = RecordedLoad.startOnFreshRoot(LoadPlan.standard(ROOT), cluster.connectString(), WORKERS);
        List<Long> failoverMillis = new ArrayList<>();
        try {
            for (int round = 1; round <= rounds; round++) {
                RecordedLoad.soak();
                load.awaitAcks(System.nanoTime(), WORKERS, SERVE); // the load flows before each kill
                int old = cluster.leader();
                assertThat(old).as("leader before round %d", round).isPositive();
                long killedAt = System.nanoTime();
                cluster.kill9(old);
                ensemble.faultInjected();
                int leader = await("a new leader after the kill of " + old).atMost(SERVE)
                        .pollInterval(Duration.ofMillis(20)).until(cluster::leader, l -> l > 0 && l != old);
                load.awaitAcks(killedAt, 3, SERVE);
                failoverMillis.add((System.nanoTime() - killedAt) / 1_000_000);

                cluster.start(old);
                await("server " + old + " serves again").atMost(SERVE).pollInterval(Duration.ofMillis(50))
                        .until(() -> !cluster.mode(old).isEmpty());
                assertThat(cluster.mode(old)).as("the old leader %d rejoins", old).isEqualTo("follower");
                System.out.printf("round %d: leader %d killed, leader %d serves writes after %d ms; %s%n", round,
                        old, leader, failoverMillis.getLast(), load.tally());
            }
            load.awaitAcks(System.nanoTime(), WORKERS, SERVE);
        } finally {
            load.stop();
        }
        System.out.println("kill -> first acknowledged write sent after it, ms: " + failoverMillis);
        assertThat(load.tally().unexpected()).as("outcomes no fault explains").isEmpty();
        assertThat(load.tally().abandoned.sum()).as("operations given up").isZero();
        ensemble.check(load.history(), SERVE);
    }
}
