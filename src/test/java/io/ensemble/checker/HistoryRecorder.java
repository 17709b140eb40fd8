package io.ensemble.checker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Collects operations from any number of client threads. Timestamps come from {@link System#nanoTime()} but are made
 * strictly increasing across all threads, so "completed before invoked" is never a tie.
 */
public final class HistoryRecorder {
    /** An invoked operation waiting for its reply. */
    public record Pending(int id, int process, long session, OpKind kind, String path, String value,
                          int expectedVersion, long invokeNanos) {
        Operation complete(long completeNanos, Result result) {
            return new Operation(id, process, session, kind, path, value, expectedVersion, invokeNanos,
                    completeNanos, result);
        }
    }

    private final AtomicLong clock = new AtomicLong(Long.MIN_VALUE);
    private final AtomicInteger ids = new AtomicInteger();
    private final ConcurrentHashMap<Integer, Pending> open = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Operation> done = new ConcurrentHashMap<>();

    /** Records the invocation; call {@link #complete} with the reply. */
    public Pending invoke(int process, long session, OpKind kind, String path, String value, int expectedVersion) {
        Pending p = new Pending(ids.getAndIncrement(), process, session, kind, path, value, expectedVersion, now());
        open.put(p.id(), p);
        return p;
    }

    /** Records the reply; a second completion of the same operation is ignored. */
    public Operation complete(Pending pending, Result result) {
        Operation op = pending.complete(now(), result);
        if (open.remove(pending.id()) == null) {
            return done.get(pending.id());
        }
        done.put(op.id(), op);
        return op;
    }

    /** Operations recorded so far; those still waiting for a reply count as indeterminate and never completed. */
    public History history() {
        List<Operation> ops = new ArrayList<>(done.values());
        for (Pending p : open.values()) {
            ops.add(p.complete(Long.MAX_VALUE, new Result.Info("no reply")));
        }
        return History.of(ops);
    }

    /** Strictly increasing nanoTime: two events never share a timestamp. */
    long now() {
        long t = System.nanoTime();
        return clock.accumulateAndGet(t, (last, candidate) -> Math.max(last + 1, candidate));
    }
}
