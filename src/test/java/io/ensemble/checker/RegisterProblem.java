package io.ensemble.checker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operations on one znode, prepared for {@link LinearizabilitySearch}: for each, the interval in which it may
 * take effect, the operations that must take effect before it, and whether it must take effect at all.
 *
 * <p>Ordering comes from three sources: real time (an operation cannot take effect before its invocation or after its
 * completion), session order (a session's requests are processed one after another) and zxids (acknowledged updates
 * are ordered by the zxid of their reply, so they form a chain). With {@link ReadConsistency#SEQUENTIAL} a read is
 * not bound by its invocation time but only by its predecessors: the session's previous operation on the znode and
 * the latest update at or below the zxid its session had already seen.
 *
 * <p>Two symmetry reductions keep indeterminate operations from blowing up the search. A value that no read returns
 * is replaced by one placeholder, so states that differ only in unobservable data are the same state. And
 * indeterminate operations with the same effect (same kind and expected version, unobserved values) are
 * interchangeable: any linearization using a later-invoked one can use an earlier-invoked one instead, so each must
 * wait for the previous one of its kind. (They are not tied to their session's order; that only loses precision.)
 */
final class RegisterProblem {
    /** Whether and how an operation has to be placed. */
    enum Mode {
        /** Acknowledged or definitely failed: it took effect (or was observed) within its interval. */
        REQUIRED,
        /** Indeterminate without a zxid: it may take effect any time after its invocation, or never. */
        OPTIONAL,
        /** Indeterminate with a zxid (a weakened update): at its place in the zxid chain it happened or it did not. */
        RESOLVABLE
    }

    /** Stands for data that no read in the history returned. */
    static final String UNOBSERVED = "\u0000unobserved";

    final String register;
    final List<Operation> ops;
    final RegisterState initial;
    final long[] callTime;
    final long[] returnTime;
    final int[][] predecessors;
    /** The previous member of the zxid chain, or -1: all a resolvable operation waits for to be skipped. */
    final int[] chainPredecessor;
    final Mode[] mode;
    final boolean[] pure;
    final boolean[] exactZxid;
    /** For each relaxed read, the operation whose reply set its session's zxid lower bound (or null). */
    final Operation[] highWaterSource;
    /** Whether the data the operation writes is never read back. */
    private final boolean[] unobserved;

    RegisterProblem(String register, List<Operation> candidates, RegisterState initial, ReadConsistency reads,
                    SessionHighWater highWater) {
        this.register = register;
        this.initial = initial;
        List<Operation> kept = new ArrayList<>();
        for (Operation op : candidates) {
            if (RegisterModel.constrains(op)) {
                kept.add(op);
            }
        }
        kept.sort(Comparator.comparingLong(Operation::invokeNanos).thenComparingInt(Operation::id));
        this.ops = List.copyOf(kept);
        int n = ops.size();
        callTime = new long[n];
        returnTime = new long[n];
        predecessors = new int[n][];
        chainPredecessor = new int[n];
        mode = new Mode[n];
        pure = new boolean[n];
        exactZxid = new boolean[n];
        highWaterSource = new Operation[n];
        unobserved = new boolean[n];
        Set<String> observed = new HashSet<>();
        for (Operation op : ops) {
            if (op.kind() == OpKind.READ && op.result() instanceof Result.Ok ok) {
                observed.add(ok.value());
            }
        }
        Map<String, Integer> lastOfSymmetryClass = new HashMap<>();

        int[] chainOps = chainOrder();
        Set<Long> knownZxids = new HashSet<>();
        for (int c : chainOps) {
            knownZxids.add(ops.get(c).zxid());
        }
        Map<Integer, Integer> chainPredecessorOf = new HashMap<>();
        for (int k = 1; k < chainOps.length; k++) {
            chainPredecessorOf.put(chainOps[k], chainOps[k - 1]);
        }
        Map<Long, Integer> lastOfSession = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Operation op = ops.get(i);
            mode[i] = modeOf(op);
            pure[i] = RegisterModel.isPure(op);
            exactZxid[i] = op.kind() == OpKind.READ && knownZxids.contains(op.zxid());
            returnTime[i] = mode[i] == Mode.REQUIRED ? op.completeNanos() : Long.MAX_VALUE;

            unobserved[i] = op.kind().isUpdate() && !observed.contains(op.value());

            List<Integer> preds = new ArrayList<>(3);
            Integer chained = chainPredecessorOf.get(i);
            chainPredecessor[i] = chained == null ? -1 : chained;
            if (chained != null) {
                preds.add(chained);
            }
            if (mode[i] == Mode.OPTIONAL) {
                Integer previousOfClass = unobserved[i]
                        ? lastOfSymmetryClass.put(op.kind() + "@" + op.expectedVersion(), i) : null;
                if (previousOfClass != null) {
                    preds.add(previousOfClass);
                }
            } else {
                Integer sessionPrevious = lastOfSession.get(op.session());
                if (sessionPrevious != null) {
                    preds.add(sessionPrevious);
                }
            }
            boolean relaxed = reads == ReadConsistency.SEQUENTIAL && op.kind() == OpKind.READ && !op.isFinalRead();
            if (relaxed) {
                int seen = latestAtOrBelow(chainOps, highWater.before(op));
                if (seen >= 0) {
                    preds.add(seen);
                    highWaterSource[i] = highWater.source(op);
                }
                long earliest = Long.MIN_VALUE;
                for (int p : preds) {
                    // an earlier index has its call time already; a later one is an update, placed at invocation
                    earliest = Math.max(earliest, p < i ? callTime[p] : ops.get(p).invokeNanos());
                }
                callTime[i] = earliest;
            } else {
                callTime[i] = op.invokeNanos();
            }
            predecessors[i] = preds.stream().mapToInt(Integer::intValue).distinct().toArray();
            if (mode[i] != Mode.OPTIONAL) {
                // an operation that is always placed one way or the other can order the session's next one
                lastOfSession.put(op.session(), i);
            }
        }
    }

    int size() {
        return ops.size();
    }

    RegisterState apply(int op, RegisterState state) {
        RegisterState after = RegisterModel.apply(ops.get(op), state, exactZxid[op]);
        if (after != null && after != state && after.exists() && unobserved[op]) {
            return new RegisterState(true, UNOBSERVED, after.version(), after.mzxid());
        }
        return after;
    }

    private static Mode modeOf(Operation op) {
        if (!op.isInfo()) {
            return Mode.REQUIRED;
        }
        return op.zxid() == Result.UNKNOWN ? Mode.OPTIONAL : Mode.RESOLVABLE;
    }

    /** Indexes of the updates with a known zxid (acknowledged or weakened), in zxid order. */
    private int[] chainOrder() {
        List<Integer> chain = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Operation op = ops.get(i);
            if (op.kind().isUpdate() && !op.isFail() && op.zxid() != Result.UNKNOWN) {
                chain.add(i);
            }
        }
        chain.sort(Comparator.comparingLong((Integer i) -> ops.get(i).zxid()).thenComparingInt(i -> i));
        return chain.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The chain member with the largest zxid not above {@code zxid}, or -1. */
    private int latestAtOrBelow(int[] chainOps, long zxid) {
        if (zxid == Result.UNKNOWN) {
            return -1;
        }
        int found = -1;
        int lo = 0;
        int hi = chainOps.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ops.get(chainOps[mid]).zxid() <= zxid) {
                found = chainOps[mid];
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
