package io.ensemble.faults;

import io.ensemble.checker.Checker;
import io.ensemble.checker.History;
import io.ensemble.checker.Operation;
import io.ensemble.checker.Report;
import io.ensemble.checker.TreeSnapshot;
import io.ensemble.checker.Violation;
import io.ensemble.testing.EnsembleCluster;
import io.ensemble.testing.ReliabilityLine;
import io.ensemble.testing.ReplicaSnapshots;

import java.time.Duration;
import java.util.Map;

/**
 * The end of a recorded fault scenario: one {@link TreeSnapshot} per server, the {@link Checker} on the whole history
 * against them, and the scenario's {@link ReliabilityLine}.
 */
final class ReliabilityCheck {
    private ReliabilityCheck() {
    }

    /** Every server's tree, once writes have stopped and all serve at the same zxid. */
    static Map<String, TreeSnapshot> snapshots(EnsembleCluster cluster) throws Exception {
        return ReplicaSnapshots.take(cluster, Duration.ofSeconds(60));
    }

    /** Checks the history, prints the report and the counts; the caller asserts {@link Report#ok()}. */
    static Report verify(String scenario, int faults, History history, Map<String, TreeSnapshot> finals) {
        Report report = Checker.check(history, finals);
        System.out.println(scenario + ": " + report + "final states " + finals);
        long acknowledged = history.operations().stream().filter(Operation::isAcknowledgedUpdate).count();
        ReliabilityLine.report(scenario, faults, report.operations(), report.ok() ? 1 : 0, acknowledged,
                report.violations(Violation.Kind.LOST_WRITE).size());
        return report;
    }
}
