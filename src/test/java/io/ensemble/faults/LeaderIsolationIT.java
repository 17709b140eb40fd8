package io.ensemble.faults;

import io.ensemble.checker.History;
import io.ensemble.checker.Operation;
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
 * The leader of 3 servers isolated from both followers by a silent network (its quorum and election links
 * blackholed: TCP reports nothing) under a recorded load through all servers, plus a recorded client that knows only
 * the leader. The isolated leader must stop serving within syncLimit ticks (measured and printed); a client of it
 * must get errors, never a success, for what it asks after that window and until the heal, and no write sent to it
 * once isolated may succeed before the heal; the two followers must elect a new leader that acknowledges writes;
 * after the heal the old leader must rejoin as a follower. The whole history, the pinned client's included, passes
 * the {@link io.ensemble.checker.Checker} against all three final trees (replicas converged). Nightly: more rounds,
 * each isolating the leader of the moment.
 */
class LeaderIsolationIT {
    private static final Duration SERVE = Duration.ofSeconds(60);
    private static final String ROOT = "/iso";
    private static final int TICK_MS = 200;
    private static final int SYNC_LIMIT = 5;
    /**
     * Granularity of the leader's check: a follower is dropped after more than syncLimit silent ticks, counted from
     * the tick after it was last heard; plus scheduling and the 20 ms polling on a loaded machine.
     */
    private static final long STEP_DOWN_BOUND_MS = (SYNC_LIMIT + 2L) * TICK_MS + 500;
    private static final int ROAMING = 4;

    /** Static, so that it outlives the test method: the consoles are printed after a failure. */
    @TempDir
    static Path dir;
    @RegisterExtension
    final FaultEnsemble ensemble = new FaultEnsemble("LeaderIsolationIT");
    EnsembleCluster cluster;

    /** When the phases of one isolation began (System.nanoTime()), and the load of the leader's pinned client. */
    private record Isolation(int leader, long isolatedAt, long steppedDownAt, long healedAt, RecordedLoad pinned) {
    }

    @Test
    void anIsolatedLeaderStepsDownWithinSyncLimitAndTheMajorityCarriesOn() throws Exception {
        int rounds = FaultScale.rounds(1, 5);
        cluster = ensemble.start(FaultEnsemble.threeServers(dir).proxyAllLinks().set("tickTime", "" + TICK_MS)
                .set("syncLimit", "" + SYNC_LIMIT), SERVE);
        LoadPlan plan = LoadPlan.standard(ROOT);
        RecordedLoad roaming = RecordedLoad.startOnFreshRoot(plan, cluster.connectString(), ROAMING);
        List<Isolation> isolations = new ArrayList<>();
        try {
            for (int round = 0; round < rounds; round++) {
                isolations.add(isolateTheLeader(plan, roaming, ROAMING + round));
            }
        } finally {
            roaming.stop();
        }
        assertThat(roaming.tally().unexpected()).as("outcomes no fault explains").isEmpty();

        History history = roaming.history();
        for (Isolation i : isolations) {
            assertPinnedClientGotNoSuccessWhileIsolated(history, i);
        }
        ensemble.check(history, SERVE);
    }

    private Isolation isolateTheLeader(LoadPlan plan, RecordedLoad roaming, int pinnedIndex) throws Exception {
        int old = cluster.leader();
        List<Integer> others = cluster.ids().stream().filter(id -> id != old).toList();
        // The pinned client does not wait for a reconnection: it keeps asking, so that it asks during the isolation.
        RecordedLoad pinned = roaming.alongside(plan.withoutRetries().withPace(10), pinnedIndex, 1,
                LoadWorker.Connector.anyOf(cluster.connectString(old), plan.sessionTimeoutMs()));
        try {
            pinned.awaitAcks(System.nanoTime(), 3, SERVE);
            RecordedLoad.soak();
            roaming.awaitAcks(System.nanoTime(), 2 * ROAMING, SERVE);

            long isolatedAt = System.nanoTime();
            others.forEach(id -> cluster.link(old, id).blackhole());
            ensemble.faultsInjected(others.size());
            await("the isolated leader " + old + " steps down").atMost(SERVE).pollInterval(Duration.ofMillis(20))
                    .until(() -> !"leader".equals(cluster.mode(old)));
            long steppedDownAt = System.nanoTime();
            long stepDownMs = (steppedDownAt - isolatedAt) / 1_000_000;
            System.out.printf("isolated leader %d stopped leading after %d ms (syncLimit %d ticks of %d ms)%n", old,
                    stepDownMs, SYNC_LIMIT, TICK_MS);
            assertThat(stepDownMs).as("ms from isolation to step-down").isLessThanOrEqualTo(STEP_DOWN_BOUND_MS);

            int leader = await("the majority elects a new leader").atMost(SERVE).pollInterval(Duration.ofMillis(20))
                    .until(cluster::leader, l -> others.contains(l));
            await("the majority serves").atMost(SERVE).until(() -> others.stream()
                    .noneMatch(id -> cluster.mode(id).isEmpty()));
            roaming.awaitAcks(steppedDownAt, 2 * ROAMING, SERVE);
            LoadWorker pinnedWorker = pinned.workers().getFirst();
            await("the pinned client gets an error for a request sent after the step-down").atMost(SERVE)
                    .until(() -> roaming.history().operations().stream().anyMatch(op -> pinnedWorker.recorded(op)
                            && op.invokeNanos() > steppedDownAt && op.completeNanos() != Long.MAX_VALUE
                            && !op.isOk()));
            assertThat(cluster.mode(old)).as("the isolated server %d serves no client", old).isEmpty();

            others.forEach(id -> cluster.link(old, id).restore());
            long healedAt = System.nanoTime();
            await("server " + old + " rejoins as a follower").atMost(SERVE).pollInterval(Duration.ofMillis(50))
                    .until(() -> "follower".equals(cluster.mode(old)));
            assertThat(cluster.leader()).as("the leader after the heal").isEqualTo(leader);
            roaming.awaitAcks(System.nanoTime(), 2 * ROAMING, SERVE);
            pinned.awaitAcks(System.nanoTime(), 2, SERVE);
            System.out.printf("healed: server %d follows leader %d; pinned client: %s%n", old, leader,
                    pinned.tally());
            return new Isolation(old, isolatedAt, steppedDownAt, healedAt, pinned);
        } finally {
            pinned.stop();
        }
    }

    /**
     * The pinned client's operations, from the history: none asked after the step-down succeeded before the heal,
     * no update sent after the isolation was acknowledged before the heal, and it did get errors in that window.
     */
    private static void assertPinnedClientGotNoSuccessWhileIsolated(History history, Isolation i) {
        LoadWorker worker = i.pinned().workers().getFirst();
        List<Operation> pinnedOps = history.operations().stream().filter(worker::recorded).toList();
        assertThat(pinnedOps).as("operations of the pinned client").isNotEmpty();
        List<Operation> answeredInWindow = pinnedOps.stream()
                .filter(op -> op.completeNanos() < i.healedAt() && op.isOk())
                .filter(op -> op.invokeNanos() > i.steppedDownAt()
                        || (op.kind().isUpdate() && op.invokeNanos() > i.isolatedAt()))
                .toList();
        assertThat(answeredInWindow).as("successes of leader %d's own client while it was isolated", i.leader())
                .isEmpty();
        long errors = pinnedOps.stream().filter(op -> op.invokeNanos() > i.steppedDownAt()
                && op.completeNanos() < i.healedAt() && !op.isOk()).count();
        assertThat(errors).as("errors of the pinned client between step-down and heal").isPositive();
        System.out.printf("pinned client of leader %d: %d errors and no success between step-down and heal%n",
                i.leader(), errors);
    }
}
