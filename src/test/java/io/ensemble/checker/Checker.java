package io.ensemble.checker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Consistency checker for histories recorded by ZooKeeper clients under fault injection.
 *
 * <h2>What it verifies</h2>
 * <ul>
 *     <li><b>Linearizable updates</b>, per znode: creates, setData (unconditional and compare-and-set), deletes and
 *     their definite failures (BadVersion, NoNode, NodeExists...) have a linearization consistent with real time,
 *     session order, the zxids of the replies and the final state ({@link LinearizabilitySearch}).</li>
 *     <li><b>Sequentially consistent reads</b> ({@link ReadConsistency#SEQUENTIAL}, the default): a read may be stale,
 *     but never older than what its session already saw or wrote, and never from the future. Pass
 *     {@link ReadConsistency#LINEARIZABLE} to {@link #reads} when every read is preceded by sync or served by the
 *     leader.</li>
 *     <li><b>Sessions never go backwards</b> by zxid ({@code SessionOrderCheck}).</li>
 *     <li><b>FIFO</b>: a session's replies complete in invocation order ({@code FifoOrderCheck}).</li>
 *     <li><b>Sequential names are never reused</b> ({@code SequentialNameCheck}).</li>
 *     <li><b>No acknowledged update is lost</b> in the healed final state ({@code LostWriteCheck}).</li>
 *     <li><b>Replicas converge</b>: every server's {@link TreeSnapshot} has the same digest.</li>
 * </ul>
 * Outcomes are {@code ok}, {@code fail} (definite error: no effect) or {@code info} (connection loss, timeout, no
 * reply: it may take effect any time after its invocation, or never). Each violation carries a minimized witness: the
 * few operations that already break the guarantee, printed with session, times and zxids.
 *
 * <h2>How a fault test uses it</h2>
 * <pre>{@code
 * HistoryRecorder recorder = new HistoryRecorder();
 * // one RecordingZooKeeper per client thread (or per session; it may be shared, calls are ordered)
 * RecordingZooKeeper client = new RecordingZooKeeper(zk, recorder, processId);
 * client.create("/r1", "init");                  // create registers through the wrapper too
 * ... workers loop: client.getData(path); client.setData(path, value, -1 or expectedVersion);
 *     client.createSequential("/q/item-", value); client.delete(path, version) ...
 * ... meanwhile: kill -9 servers, partition links, restart, heal ...
 * // after healing and stopping the workers: one snapshot per server, each from a client of that server only
 * Map<String, TreeSnapshot> finals = new LinkedHashMap<>();
 * for (int id : serverIds) {
 *     try (ZooKeeper one = connectTo(id)) { finals.put("server" + id, TreeSnapshot.take(one)); }
 * }
 * Report report = Checker.check(recorder.history(), finals);
 * assertThat(report.ok()).as(report.toString()).isTrue();
 * }</pre>
 * Use unique values per write: they make the search fast and the witnesses readable. A {@link Report} that is not ok
 * prints every violation with its witness; a search that ran out of budget makes the report not ok as well
 * ({@link Report#inconclusive()}), since nothing was proven. Znodes that existed before recording started can be
 * declared with {@link #initialState}; otherwise every path starts absent.
 */
public final class Checker {
    private static final LinearizabilitySearch.Budget MINIMIZE_BUDGET = new LinearizabilitySearch.Budget(200_000,
            64L << 20);

    private final ReadConsistency reads;
    private final long maxSearchSteps;
    private final TreeSnapshot initial;
    private final Duration minimizeTime;

    private Checker(ReadConsistency reads, long maxSearchSteps, TreeSnapshot initial, Duration minimizeTime) {
        this.reads = reads;
        this.maxSearchSteps = maxSearchSteps;
        this.initial = initial;
        this.minimizeTime = minimizeTime;
    }

    /** ZooKeeper's guarantees, the default search budget, an empty initial tree. */
    public static Checker standard() {
        return new Checker(ReadConsistency.SEQUENTIAL, LinearizabilitySearch.Budget.DEFAULT.maxSteps(),
                TreeSnapshot.empty(), Duration.ofSeconds(5));
    }

    /** Checks {@code history} against ZooKeeper's guarantees and the healed state of one server. */
    public static Report check(History history, TreeSnapshot finalState) {
        return standard().verify(history, finalState);
    }

    /**
     * Checks {@code history} against ZooKeeper's guarantees, the replicas against each other, and the history
     * against the first replica's state (any difference among replicas is itself reported).
     */
    public static Report check(History history, Map<String, TreeSnapshot> replicas) {
        return standard().verify(history, replicas);
    }

    /** Checks {@code history} alone: without a final state, lost writes cannot be detected. */
    public static Report check(History history) {
        return standard().verify(history);
    }

    public Checker reads(ReadConsistency consistency) {
        return new Checker(consistency, maxSearchSteps, initial, minimizeTime);
    }

    /** How many steps one znode's search may take before it is reported inconclusive. */
    public Checker searchSteps(long maxSteps) {
        return new Checker(reads, maxSteps, initial, minimizeTime);
    }

    /** The tree before the first recorded operation. */
    public Checker initialState(TreeSnapshot snapshot) {
        return new Checker(reads, maxSearchSteps, snapshot, minimizeTime);
    }

    /** How long shrinking one witness may take. */
    public Checker minimizeFor(Duration limit) {
        return new Checker(reads, maxSearchSteps, initial, limit);
    }

    public Report verify(History history, TreeSnapshot finalState) {
        Map<String, TreeSnapshot> one = new LinkedHashMap<>();
        one.put("final", finalState);
        return verify(history, one);
    }

    /** Without a final state: the end of the history is unknown, so lost writes cannot be detected. */
    public Report verify(History history) {
        return verify(history, Map.of());
    }

    public Report verify(History history, Map<String, TreeSnapshot> replicas) {
        long start = System.nanoTime();
        TreeSnapshot finalState = replicas.values().stream().findFirst().orElse(null);
        List<Violation> violations = new ArrayList<>();
        List<String> inconclusive = new ArrayList<>();
        long steps = 0;
        LinearizabilityCheck linearizability = new LinearizabilityCheck(reads,
                new LinearizabilitySearch.Budget(maxSearchSteps, LinearizabilitySearch.Budget.DEFAULT.maxMemoBytes()),
                MINIMIZE_BUDGET, minimizeTime);
        List<LinearizabilityCheck.Verdict> verdicts = linearizability.check(history, initial, finalState);
        for (LinearizabilityCheck.Verdict v : verdicts) {
            steps += v.outcome().steps();
            if (v.violation() != null) {
                violations.add(v.violation());
            }
            if (v.inconclusive() != null) {
                inconclusive.add(v.inconclusive());
            }
        }
        violations.addAll(SessionOrderCheck.check(history));
        violations.addAll(FifoOrderCheck.check(history));
        violations.addAll(SequentialNameCheck.check(history));
        if (finalState != null) {
            violations.addAll(LostWriteCheck.check(history, finalState));
        }
        violations.addAll(ReplicaConvergenceCheck.check(replicas));
        return new Report(violations, inconclusive, history.size(), verdicts.size(), steps,
                Duration.ofNanos(System.nanoTime() - start), history.startNanos());
    }
}
