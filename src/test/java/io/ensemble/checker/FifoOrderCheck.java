package io.ensemble.checker;

import java.util.ArrayList;
import java.util.List;

/**
 * A session's replies arrive in the order its requests were sent: no operation completes before one invoked earlier
 * on the same session. Operations that never completed are left out.
 */
final class FifoOrderCheck {
    private FifoOrderCheck() {
    }

    static List<Violation> check(History history) {
        List<Violation> out = new ArrayList<>();
        for (List<Operation> session : history.bySession().values()) {
            Operation latest = null;
            for (Operation op : session) {
                if (op.completeNanos() == Long.MAX_VALUE || op.isFinalRead()) {
                    continue;
                }
                if (latest != null && op.completeNanos() < latest.completeNanos()) {
                    out.add(new Violation(Violation.Kind.FIFO_ORDER, "session 0x" + Long.toHexString(op.session()),
                            "#" + op.id() + " was invoked after #" + latest.id() + " but completed before it",
                            List.of(latest, op)));
                    break; // one per session
                }
                if (latest == null || op.completeNanos() > latest.completeNanos()) {
                    latest = op;
                }
            }
        }
        return out;
    }
}
