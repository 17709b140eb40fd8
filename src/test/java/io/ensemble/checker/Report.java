package io.ensemble.checker;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@link Checker} found. {@link #ok()} only when no guarantee was broken AND every check was decided: a search
 * that gave up is listed in {@link #inconclusive()} and fails the report.
 *
 * @param violations   broken guarantees, each with its witness
 * @param inconclusive znodes whose linearizability search ran out of budget
 * @param operations   how many operations the history had
 * @param znodes       how many znodes the linearizability check looked at
 * @param searchSteps  total steps of the linearizability searches
 * @param elapsed      how long the whole check took
 * @param startNanos   the history's first invocation, for printing relative times
 */
public record Report(List<Violation> violations, List<String> inconclusive, int operations, int znodes,
                     long searchSteps, Duration elapsed, long startNanos) {
    public Report {
        violations = List.copyOf(violations);
        inconclusive = List.copyOf(inconclusive);
    }

    public boolean ok() {
        return violations.isEmpty() && inconclusive.isEmpty();
    }

    public Set<Violation.Kind> kinds() {
        Set<Violation.Kind> kinds = EnumSet.noneOf(Violation.Kind.class);
        violations.forEach(v -> kinds.add(v.kind()));
        return kinds;
    }

    public List<Violation> violations(Violation.Kind kind) {
        return violations.stream().filter(v -> v.kind() == kind).toList();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s: %,d operations on %,d znodes checked in %d ms (%,d search steps)",
                ok() ? "OK" : "FAILED", operations, znodes, elapsed.toMillis(), searchSteps));
        if (!violations.isEmpty()) {
            out.append(", ").append(violations.size()).append(" violation(s)");
        }
        if (!inconclusive.isEmpty()) {
            out.append(", ").append(inconclusive.size()).append(" inconclusive");
        }
        out.append('\n');
        for (Violation v : violations) {
            out.append("  ").append(v.describe(startNanos));
        }
        for (String s : inconclusive) {
            out.append("  INCONCLUSIVE ").append(s).append('\n');
        }
        return out.toString();
    }
}
