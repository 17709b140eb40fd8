package io.ensemble.checker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A finished history: every recorded operation, in invocation order. */
public record History(List<Operation> operations) {
    private static final Comparator<Operation> BY_INVOCATION =
            Comparator.comparingLong(Operation::invokeNanos).thenComparingInt(Operation::id);

    public History {
        List<Operation> sorted = new ArrayList<>(operations);
        sorted.sort(BY_INVOCATION);
        operations = List.copyOf(sorted);
    }

    public static History of(List<Operation> operations) {
        return new History(operations);
    }

    public int size() {
        return operations.size();
    }

    /** Operations per session, each list in invocation order. */
    public Map<Long, List<Operation>> bySession() {
        Map<Long, List<Operation>> out = new LinkedHashMap<>();
        for (Operation op : operations) {
            out.computeIfAbsent(op.session(), s -> new ArrayList<>()).add(op);
        }
        return out;
    }

    /** Operations per znode ({@link Operation#register()}); sequential creates without a known name are left out. */
    public Map<String, List<Operation>> byRegister() {
        Map<String, List<Operation>> out = new LinkedHashMap<>();
        for (Operation op : operations) {
            String register = op.register();
            if (register != null) {
                out.computeIfAbsent(register, r -> new ArrayList<>()).add(op);
            }
        }
        return out;
    }

    /** The earliest invocation: reports print times relative to it. */
    public long startNanos() {
        return operations.isEmpty() ? 0 : operations.get(0).invokeNanos();
    }

    /** The latest finite time in the history. */
    public long endNanos() {
        long end = startNanos();
        for (Operation op : operations) {
            end = Math.max(end, op.invokeNanos());
            if (op.completeNanos() != Long.MAX_VALUE) {
                end = Math.max(end, op.completeNanos());
            }
        }
        return end;
    }

    /** A copy with {@code replacement} in place of the operation with the same id. */
    public History replace(Operation replacement) {
        return new History(operations.stream().map(op -> op.id() == replacement.id() ? replacement : op).toList());
    }

    /** A copy with {@code extra} added. */
    public History plus(Operation extra) {
        List<Operation> ops = new ArrayList<>(operations);
        ops.add(extra);
        return new History(ops);
    }
}
