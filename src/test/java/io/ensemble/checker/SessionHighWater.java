package io.ensemble.checker;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * For each operation, the highest zxid its session had seen in replies to operations it invoked earlier: a ZooKeeper
 * session processes requests in order, so the server that answers an operation has applied at least that much.
 */
final class SessionHighWater {
    private final Map<Integer, Operation> sourceBefore = new HashMap<>();

    SessionHighWater(History history) {
        for (List<Operation> session : history.bySession().values()) {
            Operation source = null;
            for (Operation op : session) {
                if (source != null) {
                    sourceBefore.put(op.id(), source);
                }
                if (op.isOk() && op.zxid() != Result.UNKNOWN && (source == null || op.zxid() > source.zxid())) {
                    source = op;
                }
            }
        }
    }

    /** The zxid the session of {@code op} had seen before invoking it; {@link Result#UNKNOWN} if none. */
    long before(Operation op) {
        Operation source = sourceBefore.get(op.id());
        return source == null ? Result.UNKNOWN : source.zxid();
    }

    /** The earlier operation of the same session whose reply carried {@link #before}, or null. */
    Operation source(Operation op) {
        return sourceBefore.get(op.id());
    }
}
