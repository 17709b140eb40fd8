package io.ensemble.checker;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Wing &amp; Gong's depth-first search for a linearization, with Lowe's memo of visited configurations and Porcupine's
 * doubly linked list of call and return entries. The candidates for the next linearization point are the calls before
 * the first return entry of an operation not yet placed (and whose predecessors are placed); placing one lifts both
 * of its entries out of the list, backtracking puts them back.
 *
 * <p>Two reductions keep it fast. A pure operation (a read, a definite failure) that fits the current state is placed
 * at once and never revisited: moving such an operation earlier cannot break a linearization. Indeterminate updates
 * have their return entry at infinity, so they never block; the search succeeds once every other operation is placed,
 * leaving those that never happened. Those optional operations are tried after the definite ones, and the memo
 * treats a configuration with more of them placed (same definite ones, same state) as already visited.
 */
final class LinearizabilitySearch {
    enum Verdict { LINEARIZABLE, NOT_LINEARIZABLE, GAVE_UP }

    /** How much work one search may do before it gives up. */
    record Budget(long maxSteps, long maxMemoBytes) {
        static final Budget DEFAULT = new Budget(2_000_000, 512L << 20);
    }

    /**
     * The verdict; {@code stuck} is the operation whose completion no explored linearization got past (the latest
     * such), or null.
     */
    record Outcome(Verdict verdict, Operation stuck, long steps, int configurations) {
    }

    private static final int NIL = -1;
    private static final byte HAPPENED = 0;
    private static final byte SKIPPED = 1;

    private final RegisterProblem problem;
    private final Budget budget;
    private final int head;
    private final int[] next;
    private final int[] prev;
    private final VisitedConfigurations visited;

    /** Every placed operation, by index: what predecessor checks look at. */
    private final long[] placed;
    /** The placed operations that are not optional, by index, and their Zobrist hash: the memo's exact part. */
    private final long[] placedDefinite;
    private long definiteHash;
    /** The placed optional operations, by {@link #optionalIndex}: the memo's subset part. */
    private final long[] placedOptional;
    private final int[] optionalIndex;
    private RegisterState state;
    private int remaining;

    private int depth;
    private final int[] stackOp;
    private final byte[] stackAlt;
    private final boolean[] stackForced;
    private final RegisterState[] stackState;

    private long steps;
    private int stuckOp = NIL;
    private long stuckTime = Long.MIN_VALUE;

    LinearizabilitySearch(RegisterProblem problem, Budget budget) {
        this.problem = problem;
        this.budget = budget;
        int n = problem.size();
        // entry 2i is the call of operation i, entry 2i+1 its return; entry 2n is the list head
        head = 2 * n;
        next = new int[2 * n + 1];
        prev = new int[2 * n + 1];
        Integer[] order = new Integer[2 * n];
        for (int e = 0; e < 2 * n; e++) {
            order[e] = e;
        }
        Arrays.sort(order, Comparator.comparingLong(this::time)
                .thenComparingInt(e -> e & 1) // calls first at equal times: equal means concurrent
                .thenComparingInt(e -> e));
        int last = head;
        for (int e : order) {
            next[last] = e;
            prev[e] = last;
            last = e;
        }
        next[last] = NIL;
        visited = new VisitedConfigurations(n);
        placed = new long[(n + 63) / 64];
        placedDefinite = new long[(n + 63) / 64];
        optionalIndex = new int[n];
        int optionals = 0;
        state = problem.initial;
        for (int i = 0; i < n; i++) {
            if (problem.mode[i] == RegisterProblem.Mode.OPTIONAL) {
                optionalIndex[i] = optionals++;
            } else {
                remaining++;
            }
        }
        placedOptional = new long[(optionals + 63) / 64];
        stackOp = new int[n];
        stackAlt = new byte[n];
        stackForced = new boolean[n];
        stackState = new RegisterState[n];
    }

    Outcome run() {
        while (true) {
            if (remaining == 0) {
                return outcome(Verdict.LINEARIZABLE);
            }
            if (steps >= budget.maxSteps() || visited.bytes() > budget.maxMemoBytes()) {
                return outcome(Verdict.GAVE_UP);
            }
            steps++;
            if (placeNext()) {
                continue;
            }
            if (!backtrack()) {
                return outcome(Verdict.NOT_LINEARIZABLE);
            }
        }
    }

    /** At a new configuration: a fitting pure operation if there is one (the only move needed), else a choice. */
    private boolean placeNext() {
        for (int e = next[head]; e != NIL && isCall(e); e = next[e]) {
            int op = e >> 1;
            if (!problem.pure[op] || !enabled(op)) {
                continue;
            }
            RegisterState after = problem.apply(op, state);
            if (after != null) {
                // already visited means this configuration has failed before
                return place(op, after, HAPPENED, true);
            }
        }
        return choose(next[head], false) || choose(next[head], true);
    }

    /**
     * Places the first candidate from entry {@code from} on that fits (or, if resolvable, is skipped): definite ones
     * in one pass, optional ones in another. Definite first, so that a configuration is explored before the ones
     * that differ only by more optional operations placed, which the memo then skips.
     */
    private boolean choose(int from, boolean optionalPass) {
        int e = from;
        for (; e != NIL && isCall(e); e = next[e]) {
            int op = e >> 1;
            boolean optional = problem.mode[op] == RegisterProblem.Mode.OPTIONAL;
            if (problem.pure[op] || optional != optionalPass) {
                continue;
            }
            RegisterState after = enabled(op) ? problem.apply(op, state) : null;
            if (after != null && place(op, after, HAPPENED, false)) {
                return true;
            }
            if (skippable(op) && place(op, state, SKIPPED, false)) {
                return true;
            }
        }
        if (e != NIL) {
            noteStuck(e >> 1);
        }
        return false;
    }

    /** Undoes placements until one leaves an untried alternative, and takes it; false when none is left. */
    private boolean backtrack() {
        while (depth > 0) {
            depth--;
            int op = stackOp[depth];
            byte alt = stackAlt[depth];
            boolean forced = stackForced[depth];
            unplace(op, stackState[depth]);
            if (forced) {
                continue;
            }
            if (alt == HAPPENED && skippable(op) && place(op, state, SKIPPED, false)) {
                return true;
            }
            boolean optional = problem.mode[op] == RegisterProblem.Mode.OPTIONAL;
            if (choose(next[2 * op], optional) || (!optional && choose(next[head], true))) {
                return true;
            }
        }
        return false;
    }

    private boolean place(int op, RegisterState after, byte alt, boolean forced) {
        mark(op, true);
        if (!visited.add(placedDefinite, definiteHash, placedOptional, after)) {
            mark(op, false);
            return false;
        }
        stackOp[depth] = op;
        stackAlt[depth] = alt;
        stackForced[depth] = forced;
        stackState[depth] = state;
        depth++;
        state = after;
        unlink(2 * op);
        unlink(2 * op + 1);
        if (problem.mode[op] != RegisterProblem.Mode.OPTIONAL) {
            remaining--;
        }
        return true;
    }

    private void unplace(int op, RegisterState before) {
        relink(2 * op + 1);
        relink(2 * op);
        mark(op, false);
        state = before;
        if (problem.mode[op] != RegisterProblem.Mode.OPTIONAL) {
            remaining++;
        }
    }

    /** Sets or clears the operation in the placed sets. */
    private void mark(int op, boolean set) {
        placed[op >> 6] ^= 1L << op;
        if (problem.mode[op] == RegisterProblem.Mode.OPTIONAL) {
            int k = optionalIndex[op];
            placedOptional[k >> 6] ^= 1L << k;
        } else {
            placedDefinite[op >> 6] ^= 1L << op;
            definiteHash ^= visited.zobrist(op);
        }
        assert ((placed[op >> 6] & (1L << op)) != 0) == set;
    }

    /**
     * Whether a resolvable operation may be resolved as "did not happen" now. Something that did not happen has no
     * place in session or real-time order; it only waits for its predecessor in the zxid chain, so that resolutions
     * go in chain order (which keeps their combinations polynomial).
     */
    private boolean skippable(int op) {
        int chained = problem.chainPredecessor[op];
        return problem.mode[op] == RegisterProblem.Mode.RESOLVABLE
                && (chained < 0 || (placed[chained >> 6] & (1L << chained)) != 0);
    }

    private boolean enabled(int op) {
        for (int p : problem.predecessors[op]) {
            if ((placed[p >> 6] & (1L << p)) == 0) {
                return false;
            }
        }
        return true;
    }

    private void noteStuck(int op) {
        long t = problem.returnTime[op];
        if (t > stuckTime) {
            stuckTime = t;
            stuckOp = op;
        }
    }

    private long time(int entry) {
        int op = entry >> 1;
        return isCall(entry) ? problem.callTime[op] : problem.returnTime[op];
    }

    private static boolean isCall(int entry) {
        return (entry & 1) == 0;
    }

    private void unlink(int e) {
        next[prev[e]] = next[e];
        if (next[e] != NIL) {
            prev[next[e]] = prev[e];
        }
    }

    private void relink(int e) {
        next[prev[e]] = e;
        if (next[e] != NIL) {
            prev[next[e]] = e;
        }
    }

    private Outcome outcome(Verdict verdict) {
        Operation stuck = verdict == Verdict.NOT_LINEARIZABLE && stuckOp != NIL ? problem.ops.get(stuckOp) : null;
        return new Outcome(verdict, stuck, steps, visited.size());
    }
}
