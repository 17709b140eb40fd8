package io.ensemble.checker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every acknowledged update survives into the healed final state. For each znode with acknowledged creates or
 * setData:
 * <ul>
 *     <li>if it exists at the end, its mzxid is at least the zxid of every acknowledged update (the mzxid of a path
 *     only grows, even across delete and re-create);</li>
 *     <li>if it is gone, some delete (acknowledged or indeterminate) could have taken effect after the last
 *     acknowledged update.</li>
 * </ul>
 * Whether the final data itself follows from the history is the linearizability check's job (its final read).
 */
final class LostWriteCheck {
    private LostWriteCheck() {
    }

    static List<Violation> check(History history, TreeSnapshot finalState) {
        List<Violation> out = new ArrayList<>();
        for (Map.Entry<String, List<Operation>> e : history.byRegister().entrySet()) {
            String path = e.getKey();
            List<Operation> acked = e.getValue().stream()
                    .filter(op -> op.isAcknowledgedUpdate() && op.kind() != OpKind.DELETE).toList();
            if (acked.isEmpty()) {
                continue;
            }
            Optional<TreeSnapshot.Node> node = finalState.node(path);
            Violation v = node.isPresent() ? overwrittenByOlder(path, acked, node.get())
                    : deletedWithoutDelete(path, acked, e.getValue());
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    private static Violation overwrittenByOlder(String path, List<Operation> acked, TreeSnapshot.Node node) {
        if (node.mzxid() == Result.UNKNOWN) {
            return null;
        }
        Operation newest = acked.stream().filter(op -> op.zxid() != Result.UNKNOWN)
                .max(Comparator.comparingLong(Operation::zxid)).orElse(null);
        if (newest == null || newest.zxid() <= node.mzxid()) {
            return null;
        }
        return new Violation(Violation.Kind.LOST_WRITE, path, "the final " + path + " (\"" + node.value() + "\" v"
                + node.version() + ") was last modified at zxid " + HistoryFormatter.hex(node.mzxid())
                + ", before acknowledged #" + newest.id() + " at zxid " + HistoryFormatter.hex(newest.zxid()),
                List.of(newest));
    }

    private static Violation deletedWithoutDelete(String path, List<Operation> acked, List<Operation> all) {
        for (Operation update : acked) {
            boolean deletable = all.stream().anyMatch(d -> d.kind() == OpKind.DELETE && !d.isFail()
                    && (d.isInfo() || d.completeNanos() > update.invokeNanos()));
            if (!deletable) {
                return new Violation(Violation.Kind.LOST_WRITE, path, path + " is missing from the final state, but"
                        + " acknowledged #" + update.id() + " wrote it and no delete could have come after",
                        List.of(update));
            }
        }
        return null;
    }
}
