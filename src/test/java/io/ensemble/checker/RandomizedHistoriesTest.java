package io.ensemble.checker;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property tests against {@link SimulatedEnsemble}: every history it generates is correct, so the checker must
 * accept it; one injected bug from {@link Corruptions} must make it reject the history with the right violation.
 */
class RandomizedHistoriesTest {
    private static final int SEEDS = 25;

    private static SimulatedEnsemble.Config config(long seed, int operations) {
        return new SimulatedEnsemble.Config(seed, operations, 4, 6, 0.05, false);
    }

    @TestFactory
    Stream<DynamicTest> correctHistoriesAreAccepted() {
        return seeds().mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            SimulatedEnsemble.Simulated sim = SimulatedEnsemble.run(config(seed, 800));
            assertAccepted(Checker.check(sim.history(), sim.finalState()));
            assertAccepted(Checker.standard().reads(ReadConsistency.LINEARIZABLE).verify(sim.history(),
                    sim.finalState()));
        }));
    }

    @TestFactory
    Stream<DynamicTest> laggingReadsAreSequentiallyConsistent() {
        return seeds().mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            SimulatedEnsemble.Simulated sim = SimulatedEnsemble.run(config(seed, 800).lagging());
            assertAccepted(Checker.check(sim.history(), sim.finalState()));
        }));
    }

    /** Without zxids the search has only real time, session order and versions to go by. */
    @TestFactory
    Stream<DynamicTest> historiesWithoutZxidsAreAccepted() {
        return seeds().mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            SimulatedEnsemble.Simulated sim = SimulatedEnsemble.run(config(seed, 800));
            Report report = Checker.standard().reads(ReadConsistency.LINEARIZABLE)
                    .verify(withoutZxids(sim.history()), withoutZxids(sim.finalState()));
            assertAccepted(report);
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyCorruptionIsRejected() {
        List<DynamicTest> tests = new ArrayList<>();
        seeds().forEach(seed -> Corruptions.ALL.forEach((name, corruption) ->
                tests.add(DynamicTest.dynamicTest("seed " + seed + ": " + name, () -> {
                    SimulatedEnsemble.Simulated sim = SimulatedEnsemble.run(config(seed, 800));
                    Optional<Corruptions.Corrupted> corrupted = corruption.apply(sim, new SplittableRandom(seed));
                    assertThat(corrupted).as("the simulation offers something to corrupt").isPresent();
                    Corruptions.Corrupted c = corrupted.get();
                    Report report = Checker.standard().reads(c.reads()).verify(c.history(), c.replicas());
                    assertThat(report.ok()).as(name).isFalse();
                    assertThat(report.kinds()).as(report::toString).contains(c.expected());
                }))));
        return tests.stream();
    }

    @Test
    void fiveThousandOperationsAreCheckedQuickly() {
        SimulatedEnsemble.Simulated sim = SimulatedEnsemble.run(
                new SimulatedEnsemble.Config(42, 5_000, 5, 10, 0.02, true));
        Report cold = Checker.check(sim.history(), sim.finalState());
        Report warm = Checker.check(sim.history(), sim.finalState());
        System.out.println("5,000 ops, 5 registers, 10 sessions, 2% indeterminate, lagging reads: cold " + cold
                + "  warm " + warm);
        assertAccepted(warm);

        SimulatedEnsemble.Simulated one = SimulatedEnsemble.run(
                new SimulatedEnsemble.Config(43, 5_000, 1, 10, 0.02, true));
        Report oneRegister = Checker.check(one.history(), one.finalState());
        int onR0 = one.history().byRegister().get("/r0").size();
        System.out.println("5,000 ops, " + onR0 + " of them on /r0 (creates, deletes, CAS...): " + oneRegister);
        assertAccepted(oneRegister);

        Report linearizable = Checker.standard().reads(ReadConsistency.LINEARIZABLE).verify(
                withoutZxids(SimulatedEnsemble.run(new SimulatedEnsemble.Config(42, 5_000, 5, 10, 0.02, false))
                        .history()));
        System.out.println("5,000 ops, 5 registers, 10 sessions, no zxids, linearizable reads: " + linearizable);
        assertAccepted(linearizable);
    }

    private static LongStream seeds() {
        return LongStream.rangeClosed(1, SEEDS);
    }

    private static void assertAccepted(Report report) {
        assertThat(report.ok()).as(report::toString).isTrue();
    }

    static History withoutZxids(History history) {
        return History.of(history.operations().stream().map(op -> op.result() instanceof Result.Ok ok
                ? op.withResult(new Result.Ok(ok.path(), ok.value(), ok.version(), Result.UNKNOWN)) : op).toList());
    }

    static TreeSnapshot withoutZxids(TreeSnapshot snapshot) {
        Map<String, TreeSnapshot.Node> nodes = new TreeMap<>();
        snapshot.nodes().forEach((path, n) -> nodes.put(path,
                new TreeSnapshot.Node(n.value(), n.version(), Result.UNKNOWN, Result.UNKNOWN)));
        return TreeSnapshot.of(nodes);
    }
}
