package io.ensemble.faults;

import io.ensemble.checker.HistoryRecorder;
import io.ensemble.checker.Report;
import io.ensemble.testing.ConsolesOnFailure;
import io.ensemble.testing.EnsembleCluster;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
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

    @TempDir
    Path dir;
    EnsembleCluster cluster;

    @RegisterExtension
    final ConsolesOnFailure consolesOnFailure = new ConsolesOnFailure(() -> cluster, 80);

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyRoundANewLeaderServesAndTheWholeHistoryChecksOut() throws Exception {
        int rounds = FaultScale.rounds(10, 50);
        // sessions outlive a failover and a restart (a session that expires anyway is replaced by its worker)
        cluster = EnsembleCluster.builder(dir).voters(3).set("maxSessionTimeout", "30000").build();
        cluster.startAll();
        cluster.awaitServing(SERVE);
        HistoryRecorder recorder = new HistoryRecorder();
        LoadPlan plan = LoadPlan.standard(ROOT);
        RecordedLoad.createZnodes(recorder, cluster.connectString(), ROOT, plan);
        RecordedLoad load = RecordedLoad.start(recorder, plan, 0, WORKERS,
                i -> new ZooKeeper(cluster.connectString(), plan.sessionTimeoutMs(), e -> { }));
        List<Long> failoverMillis = new ArrayList<>();
        int kills = 0;
        try {
            for (int round = 1; round <= rounds; round++) {
                RecordedLoad.soak();
                load.awaitAcks(System.nanoTime(), WORKERS, SERVE); // the load flows before each kill
                int old = cluster.leader();
                assertThat(old).as("leader before round %d", round).isPositive();
                long killedAt = System.nanoTime();
                cluster.kill9(old);
                kills++;
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

        Report report = ReliabilityCheck.verify("LeaderKillRoundsIT", kills, recorder.history(),
                ReliabilityCheck.snapshots(cluster));
        assertThat(report.ok()).as(report.toString()).isTrue();
    }
}
