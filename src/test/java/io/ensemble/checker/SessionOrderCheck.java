package io.ensemble.checker;

import org.apache.zookeeper.KeeperException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Sessions never go back in time. Once a session has seen zxid H (in any reply to an operation it invoked earlier),
 * the server answering it has applied everything up to H, so:
 * <ul>
 *     <li>a read returning mzxid m of a znode that an acknowledged update overwrote at zxid u &lt;= H is stale
 *     (this covers reading older data than the session already read, and not reading its own write);</li>
 *     <li>a read finding no node is stale if an acknowledged update created or changed the node at a zxid &lt;= H
 *     and no delete could have come after it;</li>
 *     <li>an update acknowledged with a zxid &lt;= H went backwards: new writes get new, higher zxids.</li>
 * </ul>
 */
final class SessionOrderCheck {
    private SessionOrderCheck() {
    }

    static List<Violation> check(History history) {
        Map<String, List<Operation>> updates = history.operations().stream()
                .filter(op -> op.isAcknowledgedUpdate() && op.zxid() != Result.UNKNOWN)
                .sorted(Comparator.comparingLong(Operation::zxid))
                .collect(Collectors.groupingBy(Operation::register));
        Map<String, List<Operation>> deletes = history.operations().stream()
                .filter(op -> op.kind() == OpKind.DELETE && !op.isFail())
                .collect(Collectors.groupingBy(Operation::path));
        List<Violation> out = new ArrayList<>();
        for (List<Operation> session : history.bySession().values()) {
            Operation seen = null;
            for (Operation op : session) {
                if (seen != null) {
                    Violation v = stale(op, seen, updates.getOrDefault(op.register(), List.of()),
                            deletes.getOrDefault(op.path(), List.of()));
                    if (v != null) {
                        out.add(v);
                        break; // one per session: the rest of it usually follows from the first
                    }
                }
                if (op.isOk() && op.zxid() != Result.UNKNOWN && (seen == null || op.zxid() > seen.zxid())) {
                    seen = op;
                }
            }
        }
        return out;
    }

    private static Violation stale(Operation op, Operation seen, List<Operation> updates, List<Operation> deletes) {
        long h = seen.zxid();
        if (op.isAcknowledgedUpdate() && op.zxid() != Result.UNKNOWN && op.zxid() <= h) {
            return violation(op, seen, "update #" + op.id() + " was acknowledged with zxid " + hex(op.zxid())
                    + " although the session had already seen zxid " + hex(h) + " (#" + seen.id() + ")", op, seen);
        }
        if (op.kind() == OpKind.READ && op.isOk() && op.zxid() != Result.UNKNOWN) {
            long m = op.zxid();
            Operation overwrite = updates.stream().filter(u -> u.zxid() > m).findFirst().orElse(null);
            if (overwrite != null && overwrite.zxid() <= h) {
                Operation observed = updates.stream().filter(u -> u.zxid() == m).findFirst().orElse(null);
                return violation(op, seen, "read #" + op.id() + " of " + op.path() + " returned mzxid " + hex(m)
                        + ", but #" + overwrite.id() + " had overwritten it at zxid " + hex(overwrite.zxid())
                        + " <= zxid " + hex(h) + " that the session had already seen (#" + seen.id() + ")",
                        seen, observed, overwrite, op);
            }
        }
        if (op.kind() == OpKind.READ && op.result() instanceof Result.Fail f && f.code() == KeeperException.Code.NONODE) {
            Operation last = null;
            for (Operation u : updates) {
                if (u.zxid() <= h) {
                    last = u;
                }
            }
            if (last != null && !couldBeDeletedAfter(last, op, deletes)) {
                return violation(op, seen, "read #" + op.id() + " found no " + op.path() + ", but #" + last.id()
                        + " had written it at zxid " + hex(last.zxid()) + " <= zxid " + hex(h)
                        + " that the session had already seen (#" + seen.id() + "), and no delete could follow",
                        seen, last, op);
            }
        }
        return null;
    }

    /** Whether some delete may have taken effect after {@code update} and before {@code read} completed. */
    private static boolean couldBeDeletedAfter(Operation update, Operation read, List<Operation> deletes) {
        for (Operation d : deletes) {
            long latest = d.isOk() ? d.completeNanos() : Long.MAX_VALUE;
            if (d.invokeNanos() < read.completeNanos() && latest > update.invokeNanos()) {
                return true;
            }
        }
        return false;
    }

    private static Violation violation(Operation op, Operation seen, String message, Operation... witness) {
        List<Operation> ops = Stream.of(witness).filter(Objects::nonNull).distinct().toList();
        return new Violation(Violation.Kind.SESSION_WENT_BACKWARDS, "session 0x" + Long.toHexString(op.session()),
                message, ops);
    }

    private static String hex(long zxid) {
        return HistoryFormatter.hex(zxid);
    }
}
