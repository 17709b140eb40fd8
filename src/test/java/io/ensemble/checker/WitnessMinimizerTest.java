package io.ensemble.checker;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Violations come with a few operations, not with the thousands around them. */
class WitnessMinimizerTest {
    private static final int MAX_WITNESS = 6;

    @TestFactory
    Stream<DynamicTest> corruptedSimulationsShrinkToAFewOperationsAroundTheCulprit() {
        List<String> linearizabilityBugs = List.of("CAS succeeded twice on one version", "zxids contradict real time",
                "read older than a completed write (linearizable reads)", "session reads older than its own write");
        return LongStream.rangeClosed(1, 10).boxed().flatMap(seed -> linearizabilityBugs.stream().map(name ->
                DynamicTest.dynamicTest("seed " + seed + ": " + name, () -> {
                    // lagging reads only where the check allows them
                    boolean lagging = seed % 2 == 0 && !name.contains("linearizable reads");
                    SimulatedEnsemble.Simulated sim = SimulatedEnsemble.run(
                            new SimulatedEnsemble.Config(seed, 2_000, 4, 8, 0.05, lagging));
                    Corruptions.Corrupted c = Corruptions.ALL.get(name).apply(sim, new SplittableRandom(seed))
                            .orElseThrow();
                    Report report = Checker.standard().reads(c.reads()).verify(c.history(), c.replicas());
                    Violation v = report.violations(Violation.Kind.NOT_LINEARIZABLE).stream()
                            .filter(x -> x.subject().equals(c.culprit().path())).findFirst().orElseThrow();
                    assertThat(v.witness()).as(report::toString).hasSizeLessThanOrEqualTo(MAX_WITNESS)
                            .extracting(Operation::id).contains(c.culprit().id());
                })));
    }

    @Test
    void aStaleReadInALongHistoryShrinksToTheWriteItMissedAndItself() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 5).create("/r", "v0").ok(0, 0x100);
        Operation stale = null;
        Operation missed = null;
        for (int i = 1; i <= 400; i++) {
            long t = 10L * i;
            Operation w = h.op(1, t, t + 4).write("/r", "v" + i).ok(i, 0x100 + i);
            if (i == 250) {
                missed = w;
                stale = h.op(2, t + 5, t + 8).read("/r").reads("v" + (i - 1), i - 1, 0x100 + i - 1);
            } else {
                h.op(2 + i % 3, t + 5, t + 8).read("/r").reads("v" + i, i, 0x100 + i);
            }
        }
        TreeSnapshot end = TreeSnapshot.of(Map.of("/r", new TreeSnapshot.Node("v400", 400, 0x100, 0x100 + 400)));

        Report report = Checker.standard().reads(ReadConsistency.LINEARIZABLE).verify(h.build(), end);

        assertThat(report.kinds()).containsExactly(Violation.Kind.NOT_LINEARIZABLE);
        assertThat(report.violations().get(0).witness()).containsExactly(missed, stale);
        System.out.println("801 operations, one stale read: " + report);
    }
}
