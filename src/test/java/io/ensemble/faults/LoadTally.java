package io.ensemble.faults;

import io.ensemble.checker.OpKind;
import io.ensemble.checker.Operation;
import io.ensemble.checker.Result;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the workers of one load saw, beyond the history itself: outcomes by name, retries, operations given up,
 * sessions opened, and every outcome a fault test does not expect (anything but success, a retryable loss, or a
 * definite answer the load may rightly get: see {@link #answered}).
 */
final class LoadTally {
    /** Outcomes after which the request may or may not have been applied, and asking again is the client's job. */
    static final Set<String> RETRYABLE = Set.of("CONNECTIONLOSS", "OPERATIONTIMEOUT", "REQUESTTIMEOUT", "no reply",
            "reply timeout");

    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final List<Operation> unexpected = Collections.synchronizedList(new ArrayList<>());
    /** Invocation times of acknowledged updates, in about the order they were acknowledged. */
    private final List<Long> ackedUpdates = new ArrayList<>();
    private final List<Throwable> crashes = Collections.synchronizedList(new ArrayList<>());
    /** Logical operations whose first request ended in a loss (timeout, connection loss, expiry). */
    final LongAdder hitByLoss = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder retriedThenAnswered = new LongAdder();
    final LongAdder abandoned = new LongAdder();
    /** Sessions the workers opened: one each, plus one for every session that expired or died. */
    final LongAdder sessionsOpened = new LongAdder();
    private final boolean registersComeAndGo;

    LoadTally(LoadPlan.Mix mix) {
        this.registersComeAndGo = mix.registersComeAndGo();
    }

    /** The name of an operation's outcome: OK, an error code, or an indeterminate reason. */
    static String outcome(Operation op) {
        return switch (op.result()) {
            case Result.Ok ok -> "OK";
            case Result.Fail fail -> fail.code().name();
            case Result.Info info -> info.reason();
        };
    }

    static boolean retryable(Operation op) {
        return RETRYABLE.contains(outcome(op));
    }

    static boolean expired(Operation op) {
        return "SESSIONEXPIRED".equals(outcome(op));
    }

    /**
     * Success, or a definite answer the load may rightly get: a compare-and-set's BADVERSION under contention, and
     * where registers are deleted and created again, NONODE (a register gone) and NODEEXISTS (one there already).
     */
    boolean answered(Operation op) {
        String outcome = outcome(op);
        if (op.isOk() || (op.kind() == OpKind.CAS && "BADVERSION".equals(outcome))) {
            return true;
        }
        return registersComeAndGo && switch (op.kind()) {
            case READ, WRITE, CAS, DELETE -> "NONODE".equals(outcome);
            case CREATE -> "NODEEXISTS".equals(outcome);
            case CREATE_SEQUENTIAL -> false;
        };
    }

    void record(Operation op) {
        outcomes.computeIfAbsent(outcome(op), k -> new LongAdder()).increment();
        if (op.isAcknowledgedUpdate()) {
            synchronized (ackedUpdates) {
                ackedUpdates.add(op.invokeNanos());
            }
        } else if (!answered(op) && !retryable(op) && !expired(op)) {
            unexpected.add(op);
        }
    }

    /** A reply that never came within the worker's patience: the operation stays open in the history. */
    void recordReplyTimeout() {
        outcomes.computeIfAbsent("reply timeout", k -> new LongAdder()).increment();
    }

    /** Acknowledged updates whose request was sent after {@code nanos} (System.nanoTime()). */
    long acksInvokedAfter(long nanos) {
        synchronized (ackedUpdates) {
            long n = 0;
            for (int i = ackedUpdates.size() - 1; i >= 0; i--) {
                if (ackedUpdates.get(i) > nanos) {
                    n++;
                } else if (ackedUpdates.get(i) < nanos - 60_000_000_000L) {
                    break; // acknowledgements come at most a reply timeout out of order
                }
            }
            return n;
        }
    }

    /** A worker that stopped on an exception: the load is not what the test thinks it is. */
    void crashed(Throwable t) {
        crashes.add(t);
    }

    List<Throwable> crashes() {
        synchronized (crashes) {
            return List.copyOf(crashes);
        }
    }

    long count(String outcome) {
        LongAdder a = outcomes.get(outcome);
        return a == null ? 0 : a.sum();
    }

    List<Operation> unexpected() {
        synchronized (unexpected) {
            return List.copyOf(unexpected);
        }
    }

    @Override
    public String toString() {
        Map<String, Long> sorted = new TreeMap<>();
        outcomes.forEach((k, v) -> sorted.put(k, v.sum()));
        return "outcomes " + sorted + ", operations hit by a loss " + hitByLoss.sum() + ", retries " + retries.sum()
                + " (then answered " + retriedThenAnswered.sum() + "), given up " + abandoned.sum()
                + ", sessions opened " + sessionsOpened.sum() + ", unexpected " + unexpected().size()
                + ", workers crashed " + crashes().size();
    }
}
