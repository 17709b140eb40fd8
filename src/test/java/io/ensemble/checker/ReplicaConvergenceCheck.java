package io.ensemble.checker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** After healing, every server holds the same tree: compares each snapshot with the first one's digest. */
final class ReplicaConvergenceCheck {
    private static final int MAX_DIFFERENCES_SHOWN = 10;

    private ReplicaConvergenceCheck() {
    }

    static List<Violation> check(Map<String, TreeSnapshot> replicas) {
        List<Violation> out = new ArrayList<>();
        Map.Entry<String, TreeSnapshot> reference = replicas.entrySet().stream().findFirst().orElse(null);
        if (reference == null) {
            return out;
        }
        String referenceDigest = reference.getValue().digest();
        for (Map.Entry<String, TreeSnapshot> other : replicas.entrySet()) {
            if (other.getValue().digest().equals(referenceDigest)) {
                continue;
            }
            List<String> differences = reference.getValue().differences(other.getValue());
            out.add(new Violation(Violation.Kind.REPLICAS_DIVERGED, reference.getKey() + " vs " + other.getKey(),
                    "digests " + referenceDigest.substring(0, 16) + " vs " + other.getValue().digest().substring(0, 16)
                            + "; " + differences.size() + " paths differ: "
                            + String.join("; ", differences.subList(0, Math.min(MAX_DIFFERENCES_SHOWN,
                            differences.size()))), List.of()));
        }
        return out;
    }
}
