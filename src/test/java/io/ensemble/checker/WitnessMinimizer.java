package io.ensemble.checker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Shrinks the operations on a non-linearizable znode to a small set that still has no linearization.
 *
 * <p>Shrinking only ever weakens the history, so whatever still fails shows that the original fails too: a read or a
 * definite failure is dropped (one observation fewer); an acknowledged update becomes indeterminate ("it may or may
 * not have happened", at its zxid if it had one); and everything up to an acknowledged update whose reply pins the
 * state down (its value, version and zxid) is replaced by that state, after dropping or weakening the operations that
 * might have been ordered before it. The witness shown is that update plus the operations still definite.
 */
final class WitnessMinimizer {
    /** A candidate: the state it starts from, the update that established that state (or null) and the operations. */
    record Trial(RegisterState initial, Operation anchor, List<Operation> ops) {
        Trial with(List<Operation> newOps) {
            return new Trial(initial, anchor, newOps);
        }
    }

    /** The result: operations to show (anchor first) and how many were dropped or weakened. */
    record Witness(List<Operation> shown, int omitted) {
    }

    private static final int MAX_WEAKEN_CHUNK = 16;

    private final String register;
    private final ReadConsistency reads;
    private final SessionHighWater highWater;
    private final LinearizabilitySearch.Budget budget;
    private final long deadline;

    WitnessMinimizer(String register, ReadConsistency reads, SessionHighWater highWater,
                     LinearizabilitySearch.Budget budget, Duration timeLimit) {
        this.register = register;
        this.reads = reads;
        this.highWater = highWater;
        this.budget = budget;
        this.deadline = System.nanoTime() + timeLimit.toNanos();
    }

    Witness minimize(RegisterState initial, List<Operation> ops, Operation stuck) {
        Trial trial = new Trial(initial, null, ops.stream().filter(RegisterModel::constrains).toList());
        RegisterProblem original = new RegisterProblem(register, trial.ops(), initial, reads, highWater);
        int total = trial.ops().size();
        // the suffix first: with it gone, an anchor cut cannot wander off to a later violation
        trial = dropAfter(trial, stuck);
        trial = cutAtAnchor(trial, stuck);
        trial = reduce(trial, RegisterModel::isPure, null);
        trial = reduce(trial, op -> op.kind().isUpdate() && !op.isInfo() && !op.isFail(), WitnessMinimizer::weaken);
        trial = reduce(trial, RegisterModel::isPure, null);
        List<Operation> shown = shown(trial, original);
        return new Witness(shown, Math.max(0, total - shown.size()));
    }

    /** Whether the trial still has no linearization (giving up counts as "it might have one"). */
    boolean fails(Trial trial) {
        RegisterProblem problem = new RegisterProblem(register, trial.ops(), trial.initial(), reads, highWater);
        return new LinearizabilitySearch(problem, budget).run().verdict()
                == LinearizabilitySearch.Verdict.NOT_LINEARIZABLE;
    }

    /** Starts from the state after the latest acknowledged update before the failure for which it still fails. */
    private Trial cutAtAnchor(Trial trial, Operation stuck) {
        RegisterProblem problem = new RegisterProblem(register, trial.ops(), trial.initial(), reads, highWater);
        List<Integer> anchors = new ArrayList<>();
        for (int i = 0; i < problem.size(); i++) {
            Operation op = problem.ops.get(i);
            boolean beforeFailure = stuck == null || op.completeNanos() < stuck.completeNanos();
            if (problem.mode[i] == RegisterProblem.Mode.REQUIRED && beforeFailure
                    && RegisterModel.stateAfter(op) != null) {
                anchors.add(i);
            }
        }
        Trial best = trial;
        int lo = 0;
        int hi = anchors.size() - 1;
        while (lo <= hi && !timeUp()) {
            int mid = (lo + hi) >>> 1;
            Trial cut = cut(problem, anchors.get(mid));
            if (fails(cut)) {
                best = cut;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best;
    }

    /**
     * The trial that starts right after operation {@code c}: what is surely before it goes, what might be before it is
     * dropped (reads, failures) or weakened (updates), what is surely after it stays.
     */
    private Trial cut(RegisterProblem p, int c) {
        Operation anchor = p.ops.get(c);
        Set<Integer> before = surelyBefore(p, c);
        boolean[] after = surelyAfter(p, c);
        List<Operation> kept = new ArrayList<>();
        for (int i = 0; i < p.size(); i++) {
            Operation op = p.ops.get(i);
            if (i == c || before.contains(i)) {
                continue;
            }
            if (after[i] || op.isInfo()) {
                kept.add(op);
            } else if (!RegisterModel.isPure(op)) {
                kept.add(weaken(op));
            }
        }
        return new Trial(RegisterModel.stateAfter(anchor), anchor, kept);
    }

    private static Set<Integer> surelyBefore(RegisterProblem p, int c) {
        Set<Integer> before = new HashSet<>();
        List<Integer> pending = new ArrayList<>();
        for (int pred : p.predecessors[c]) {
            pending.add(pred);
        }
        while (!pending.isEmpty()) {
            int i = pending.remove(pending.size() - 1);
            if (before.add(i)) {
                for (int pred : p.predecessors[i]) {
                    pending.add(pred);
                }
            }
        }
        long cZxid = p.ops.get(c).zxid();
        for (int i = 0; i < p.size(); i++) {
            Operation op = p.ops.get(i);
            boolean earlierInChain = cZxid != Result.UNKNOWN && op.kind().isUpdate() && !op.isFail()
                    && op.zxid() != Result.UNKNOWN && op.zxid() < cZxid;
            if (p.returnTime[i] < p.callTime[c] || earlierInChain) {
                before.add(i);
            }
        }
        return before;
    }

    private static boolean[] surelyAfter(RegisterProblem p, int c) {
        boolean[] after = new boolean[p.size()];
        long cZxid = p.ops.get(c).zxid();
        for (int i = 0; i < p.size(); i++) {
            Operation op = p.ops.get(i);
            boolean laterInChain = cZxid != Result.UNKNOWN && op.kind().isUpdate() && !op.isFail()
                    && op.zxid() != Result.UNKNOWN && op.zxid() > cZxid;
            after[i] = laterInChain || p.callTime[i] > p.returnTime[c];
        }
        // predecessors of a relaxed read are earlier operations or chain members, whose status is known by now
        for (int i = 0; i < p.size(); i++) {
            for (int pred : p.predecessors[i]) {
                if (pred == c || after[pred]) {
                    after[i] = true;
                }
            }
        }
        return after;
    }

    /** Drops reads invoked after the failure point and weakens updates invoked after it. */
    private Trial dropAfter(Trial trial, Operation stuck) {
        if (stuck == null || stuck.completeNanos() == Long.MAX_VALUE) {
            return trial;
        }
        List<Operation> kept = new ArrayList<>();
        for (Operation op : trial.ops()) {
            if (op.invokeNanos() <= stuck.completeNanos() || op.isInfo()) {
                kept.add(op);
            } else if (!RegisterModel.isPure(op)) {
                kept.add(weaken(op));
            }
        }
        Trial cut = trial.with(kept);
        return fails(cut) ? cut : trial;
    }

    /**
     * Delta debugging: tries dropping ({@code change} null) or changing chunks of the eligible operations, halving
     * the chunk size down to one, and keeps every change after which the trial still fails.
     */
    private Trial reduce(Trial trial, Predicate<Operation> eligible, UnaryOperator<Operation> change) {
        List<Integer> candidates = new ArrayList<>();
        for (Operation op : trial.ops()) {
            if (eligible.test(op) && !(op.isFinalRead() && change != null)) {
                candidates.add(op.id());
            }
        }
        int chunk = Math.max(1, candidates.size() / 2);
        if (change != null) {
            chunk = Math.min(chunk, MAX_WEAKEN_CHUNK);
        }
        while (!candidates.isEmpty() && !timeUp()) {
            for (int start = 0; start < candidates.size() && !timeUp(); ) {
                Set<Integer> part = new HashSet<>(candidates.subList(start, Math.min(start + chunk, candidates.size())));
                Trial smaller = trial.with(apply(trial.ops(), part, change));
                if (fails(smaller)) {
                    trial = smaller;
                    candidates.removeAll(part);
                } else {
                    start += chunk;
                }
            }
            if (chunk == 1) {
                break;
            }
            chunk = Math.max(1, chunk / 2);
        }
        return trial;
    }

    private static List<Operation> apply(List<Operation> ops, Set<Integer> part, UnaryOperator<Operation> change) {
        List<Operation> out = new ArrayList<>(ops.size());
        for (Operation op : ops) {
            if (!part.contains(op.id())) {
                out.add(op);
            } else if (change != null) {
                out.add(change.apply(op));
            }
        }
        return out;
    }

    /** An acknowledged update turned into "may or may not have happened (at its zxid, if known)". */
    static Operation weaken(Operation op) {
        return op.withResult(new Result.Info("weakened", op.zxid()));
    }

    /**
     * The operations to show: the anchor, the ones still definite, and what places each sequentially consistent read
     * (shrinking may have dropped it): the earlier operations of its session that bound it from below, and the
     * operation, maybe on another znode, whose reply gave its session the zxid it must not fall behind.
     */
    private List<Operation> shown(Trial trial, RegisterProblem original) {
        Set<Operation> shown = new LinkedHashSet<>();
        if (trial.anchor() != null) {
            shown.add(trial.anchor());
        }
        Map<Integer, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < original.size(); i++) {
            indexOf.put(original.ops.get(i).id(), i);
        }
        for (Operation op : trial.ops()) {
            if (op.isInfo()) {
                continue;
            }
            shown.add(op);
            Integer i = indexOf.get(op.id());
            while (i != null && isRelaxedRead(original.ops.get(i))) {
                if (original.highWaterSource[i] != null) {
                    shown.add(original.highWaterSource[i]);
                }
                i = latestPredecessor(original, i);
                if (i != null) {
                    shown.add(original.ops.get(i));
                }
            }
        }
        return new ArrayList<>(shown);
    }

    private boolean isRelaxedRead(Operation op) {
        return reads == ReadConsistency.SEQUENTIAL && op.kind() == OpKind.READ && !op.isFinalRead();
    }

    /** The predecessor that sets the earliest point a relaxed read can take effect, or null. */
    private static Integer latestPredecessor(RegisterProblem p, int i) {
        Integer latest = null;
        for (int pred : p.predecessors[i]) {
            if (latest == null || p.callTime[pred] > p.callTime[latest]) {
                latest = pred;
            }
        }
        return latest;
    }

    private boolean timeUp() {
        return System.nanoTime() > deadline;
    }
}
