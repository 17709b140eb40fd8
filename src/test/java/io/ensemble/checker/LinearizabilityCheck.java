package io.ensemble.checker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Checks each znode on its own (linearizability is compositional): its operations, plus a final read of the healed
 * state, must have a linearization. A failure comes with a minimized witness; a search that runs out of budget is
 * reported as inconclusive, never as a pass.
 */
final class LinearizabilityCheck {
    /** The verdict for one znode: a violation, or the reason it was not decided, or neither (it passed). */
    record Verdict(String register, int operations, LinearizabilitySearch.Outcome outcome, Violation violation,
                   String inconclusive) {
    }

    private final ReadConsistency reads;
    private final LinearizabilitySearch.Budget budget;
    private final LinearizabilitySearch.Budget minimizeBudget;
    private final Duration minimizeTime;

    LinearizabilityCheck(ReadConsistency reads, LinearizabilitySearch.Budget budget,
                         LinearizabilitySearch.Budget minimizeBudget, Duration minimizeTime) {
        this.reads = reads;
        this.budget = budget;
        this.minimizeBudget = minimizeBudget;
        this.minimizeTime = minimizeTime;
    }

    /** {@code finalState} may be null: then nothing is known about the end. */
    List<Verdict> check(History history, TreeSnapshot initial, TreeSnapshot finalState) {
        SessionHighWater highWater = new SessionHighWater(history);
        List<Map.Entry<String, List<Operation>>> registers = new ArrayList<>(history.byRegister().entrySet());
        long end = history.endNanos();
        // znodes are independent: check them in parallel, report them in history order
        return IntStream.range(0, registers.size()).parallel().mapToObj(i -> {
            String register = registers.get(i).getKey();
            List<Operation> ops = withFinalRead(register, registers.get(i).getValue(), finalState, end, i);
            return checkOne(register, ops, RegisterState.of(initial.node(register).orElse(null)), highWater);
        }).toList();
    }

    private Verdict checkOne(String register, List<Operation> ops, RegisterState initial,
                             SessionHighWater highWater) {
        RegisterProblem problem = new RegisterProblem(register, ops, initial, reads, highWater);
        LinearizabilitySearch.Outcome outcome = new LinearizabilitySearch(problem, budget).run();
        return switch (outcome.verdict()) {
            case LINEARIZABLE -> new Verdict(register, problem.size(), outcome, null, null);
            case GAVE_UP -> new Verdict(register, problem.size(), outcome, null, String.format(
                    "%s: gave up after %,d search steps (%,d configurations) over %d operations", register,
                    outcome.steps(), outcome.configurations(), problem.size()));
            case NOT_LINEARIZABLE -> new Verdict(register, problem.size(), outcome,
                    violation(register, ops, initial, highWater, outcome), null);
        };
    }

    private Violation violation(String register, List<Operation> ops, RegisterState initial,
                                SessionHighWater highWater, LinearizabilitySearch.Outcome outcome) {
        // a trial is smaller than the whole, but may still need as many steps to fail as the whole did
        LinearizabilitySearch.Budget trialBudget = new LinearizabilitySearch.Budget(
                Math.min(budget.maxSteps(), Math.max(minimizeBudget.maxSteps(), 2 * outcome.steps())),
                minimizeBudget.maxMemoBytes());
        WitnessMinimizer minimizer = new WitnessMinimizer(register, reads, highWater, trialBudget, minimizeTime);
        WitnessMinimizer.Witness witness = minimizer.minimize(initial, ops, outcome.stuck());
        String where = outcome.stuck() == null ? "" : "no linearization gets past the completion of #"
                + outcome.stuck().id() + "; ";
        String message = where + "these " + witness.shown().size() + " operations have none (" + witness.omitted()
                + " others omitted: dropping reads and treating updates as maybe-not-happened does not help; "
                + "reads are " + reads.name().toLowerCase() + ")";
        return new Violation(Violation.Kind.NOT_LINEARIZABLE, register, message, witness.shown());
    }

    /** Appends a read of the final state, invoked after everything else completed (or never did). */
    private static List<Operation> withFinalRead(String register, List<Operation> ops, TreeSnapshot finalState,
                                                 long end, int index) {
        if (finalState == null) {
            return ops;
        }
        Result result = finalState.node(register)
                .<Result>map(n -> new Result.Ok(register, n.value(), n.version(), n.mzxid()))
                .orElse(new Result.Fail(org.apache.zookeeper.KeeperException.Code.NONODE));
        Operation read = new Operation(-1 - index, Operation.FINAL_PROCESS, Long.MIN_VALUE + index, OpKind.READ,
                register, null, -1, end + 1, end + 2, result);
        List<Operation> out = new ArrayList<>(ops);
        out.add(read);
        return out;
    }
}
