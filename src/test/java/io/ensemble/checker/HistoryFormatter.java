package io.ensemble.checker;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Renders operations one per line: id, session, process, times (ms after the history's start), call and result. */
final class HistoryFormatter {
    private HistoryFormatter() {
    }

    /** Lines shown at each end of a long table. */
    private static final int SHOWN_AT_EACH_END = 25;

    static String table(Collection<Operation> ops, long startNanos) {
        List<Operation> sorted = ops.stream()
                .sorted(Comparator.comparingLong(Operation::invokeNanos).thenComparingInt(Operation::id)).toList();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.size() > 2 * SHOWN_AT_EACH_END && i == SHOWN_AT_EACH_END) {
                out.append("    ... ").append(sorted.size() - 2 * SHOWN_AT_EACH_END).append(" more ...\n");
                i = sorted.size() - SHOWN_AT_EACH_END;
            }
            out.append("    ").append(line(sorted.get(i), startNanos)).append('\n');
        }
        return out.toString();
    }

    static String line(Operation op, long startNanos) {
        String who = op.isFinalRead() ? "final state       "
                : String.format(Locale.ROOT, "s=%-8s p=%-4d", Long.toHexString(op.session()), op.process());
        return String.format(Locale.ROOT, "#%-5d %s [%10s .. %10s]  %-40s -> %s", op.id(), who,
                millis(op.invokeNanos(), startNanos), millis(op.completeNanos(), startNanos), call(op),
                result(op));
    }

    private static String millis(long nanos, long startNanos) {
        if (nanos == Long.MAX_VALUE) {
            return "never";
        }
        return String.format(Locale.ROOT, "%.3fms", (nanos - startNanos) / 1e6);
    }

    private static String call(Operation op) {
        return switch (op.kind()) {
            case READ -> "read " + op.path();
            case WRITE -> "write " + op.path() + " " + quote(op.value());
            case CAS -> "cas " + op.path() + " " + quote(op.value()) + " if v" + op.expectedVersion();
            case CREATE -> "create " + op.path() + " " + quote(op.value());
            case CREATE_SEQUENTIAL -> "create-seq " + op.path() + " " + quote(op.value());
            case DELETE -> "delete " + op.path() + (op.expectedVersion() == -1 ? "" : " if v" + op.expectedVersion());
        };
    }

    private static String result(Operation op) {
        return switch (op.result()) {
            case Result.Ok ok -> "ok" + okDetails(op, ok);
            case Result.Fail fail -> "fail " + fail.code();
            case Result.Info info -> "unknown (" + info.reason() + ")"
                    + (info.zxid() == Result.UNKNOWN ? "" : " zxid=" + hex(info.zxid()));
        };
    }

    private static String okDetails(Operation op, Result.Ok ok) {
        StringBuilder out = new StringBuilder();
        if (op.kind() == OpKind.CREATE_SEQUENTIAL) {
            out.append(' ').append(ok.path());
        }
        if (op.kind() == OpKind.READ) {
            out.append(' ').append(quote(ok.value()));
        }
        if (ok.version() != Result.UNKNOWN) {
            out.append(" v").append(ok.version());
        }
        if (ok.zxid() != Result.UNKNOWN) {
            out.append(" zxid=").append(hex(ok.zxid()));
        }
        return out.toString();
    }

    static String hex(long zxid) {
        return "0x" + Long.toHexString(zxid);
    }

    private static String quote(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }
}
