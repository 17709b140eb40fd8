package io.ensemble.fault;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named places in recovery and replication where a test can make the server die as {@code kill -9} would: started
 * with {@code -Densemble.crashAt=<name>} (and optionally {@code -Densemble.crashAfter=<n>}, default 1), the server
 * halts ({@link Runtime#halt}: no shutdown hook, no flush, no close) the n-th time it reaches that point, with exit
 * code {@value #EXIT_CODE}. The property is read once; without it every point is a test of a constant null field.
 *
 * <p>The points sit where ZooKeeper's known data-loss bugs came from (epochs written in the wrong order, a learner
 * ACKing NEWLEADER before its sync was on disk, an interrupted TRUNC, a snapshot half installed):
 * <ul>
 *   <li>{@value #LEADER_EPOCH_ACCEPTED}: a new leader has chosen and persisted its acceptedEpoch, before any
 *       LEADERINFO is sent;</li>
 *   <li>{@value #LEADER_EPOCH_CURRENT}: a new leader has a quorum of ACKEPOCHs and persisted currentEpoch, before
 *       the learners are synced;</li>
 *   <li>{@value #LEARNER_EPOCH_ACCEPTED}: a learner has persisted the new leader's epoch as acceptedEpoch, before
 *       its ACKEPOCH is sent;</li>
 *   <li>{@value #LEARNER_NEWLEADER_RECEIVED}: a learner has NEWLEADER, and the transactions the sync sent may not
 *       be durable yet (nothing is ACKed);</li>
 *   <li>{@value #LEARNER_NEWLEADER_ACKED}: a learner has persisted currentEpoch and its ACK of NEWLEADER has been
 *       written to the socket;</li>
 *   <li>{@value #LEARNER_TRUNC_TRUNCATED}: during a TRUNC, the log is truncated and the storage not yet reopened;
 *       </li>
 *   <li>{@value #STORAGE_TRUNCATION_PARTIAL}: inside a log truncation, after each file it deletes (a truncation
 *       interrupted half way; {@code crashAfter} picks the file);</li>
 *   <li>{@value #LEARNER_SNAP_RECEIVED}: a learner has the leader's snapshot on disk (fsynced), not yet
 *       installed;</li>
 *   <li>{@value #LEADER_PROPOSAL_LOGGED}: the leader's proposal is durable in its own log and not yet sent to
 *       anyone;</li>
 *   <li>{@value #FOLLOWER_PROPOSAL_LOGGED}: a follower's proposal is durable in its log, its ACK not sent;</li>
 *   <li>{@value #LEADER_COMMIT_QUORUM}: the leader has a quorum of ACKs, before it applies or sends COMMIT;</li>
 *   <li>{@value #LEADER_COMMIT_PARTIAL}: the leader has written the COMMIT to one learner's socket, not to the
 *       others (a broadcast cut in the middle).</li>
 * </ul>
 */
public final class CrashPoints {
    public static final String LEADER_EPOCH_ACCEPTED = "leader.epoch.accepted";
    public static final String LEADER_EPOCH_CURRENT = "leader.epoch.current";
    public static final String LEARNER_EPOCH_ACCEPTED = "learner.epoch.accepted";
    public static final String LEARNER_NEWLEADER_RECEIVED = "learner.newleader.received";
    public static final String LEARNER_NEWLEADER_ACKED = "learner.newleader.acked";
    public static final String LEARNER_TRUNC_TRUNCATED = "learner.trunc.truncated";
    public static final String STORAGE_TRUNCATION_PARTIAL = "storage.truncation.partial";
    public static final String LEARNER_SNAP_RECEIVED = "learner.snap.received";
    public static final String LEADER_PROPOSAL_LOGGED = "leader.proposal.logged";
    public static final String FOLLOWER_PROPOSAL_LOGGED = "follower.proposal.logged";
    public static final String LEADER_COMMIT_QUORUM = "leader.commit.quorum";
    public static final String LEADER_COMMIT_PARTIAL = "leader.commit.partial";

    /** The exit code of a server halted at a crash point, so a test can tell it from any other death. */
    public static final int EXIT_CODE = 86;

    private static final String ARMED = System.getProperty("ensemble.crashAt");
    private static final int AFTER = Integer.getInteger("ensemble.crashAfter", 1);
    private static final AtomicInteger HITS = new AtomicInteger();

    private CrashPoints() {
    }

    /** Whether this run halts at {@code name}: callers that must prepare the crash (flush a socket) ask first. */
    public static boolean armed(String name) {
        return ARMED != null && ARMED.equals(name);
    }

    /** Halts the JVM if this run is armed for {@code name} and this is the chosen hit; otherwise returns. */
    public static void reach(String name) {
        if (armed(name) && HITS.incrementAndGet() >= AFTER) {
            // One line on stderr (unbuffered) so the console shows why the server is gone; then no more code runs.
            System.err.println("CRASH POINT " + name + " reached (hit " + HITS.get() + "): halting");
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }
}
