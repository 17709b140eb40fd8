package io.ensemble.quorum.election;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ZooKeeper's FastLeaderElection as a pure state machine: {@link #start}, {@link #receive} and {@link #tick} in,
 * an {@link ElectionOutput} (notifications to send, maybe a decision) out. No threads, sockets or clocks, so a test
 * drives a whole ensemble in one thread. Not thread-safe: the driver serialises calls.
 *
 * <p>After deciding, the machine keeps answering LOOKING peers with its settled vote, which is how a server that
 * joins later (or restarts) learns the leader. {@link #start} again begins the next round.
 */
public final class ElectionStateMachine {

    private final long myId;
    private final boolean voter;
    private final VoteTally tally;
    private final ElectionTiming timing;

    private boolean started;
    private ServerState state = ServerState.LOOKING;
    /** The election round; ZooKeeper's logicalclock. Survives rounds, only ever grows. */
    private long round;
    /** Our own candidacy for this round, which a round reset falls back to. */
    private Vote initial;
    /** The vote we currently push; its electionEpoch is always {@link #round} while LOOKING. */
    private Vote proposal;
    /** Latest notification per server in this round (ZooKeeper's recvset), our own included. */
    private final Map<Long, Notification> received = new HashMap<>();
    /** Latest FOLLOWING/LEADING notification per server from any round (ZooKeeper's outofelection). */
    private final Map<Long, Notification> settledPeers = new HashMap<>();
    /** Ticks left before deciding on a quorum-backed proposal; -1 when no quorum backs it. */
    private int settleTicksLeft = -1;
    private int idleTicks;
    private int resendInterval;
    private Decision decision;

    public ElectionStateMachine(long myId, Collection<Long> voters, ElectionTiming timing) {
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one voter");
        }
        this.myId = myId;
        this.tally = new VoteTally(voters);
        this.voter = tally.isVoter(myId);
        this.timing = timing;
    }

    /**
     * Starts a new round (the first, or a re-election after the leader was lost) with this server's last logged
     * zxid and accepted epoch.
     */
    public ElectionOutput start(long lastZxid, long currentEpoch) {
        started = true;
        state = ServerState.LOOKING;
        decision = null;
        round++;
        received.clear();
        settledPeers.clear();
        settleTicksLeft = -1;
        idleTicks = 0;
        resendInterval = timing.resendInitialTicks();
        // An observer's empty vote loses to any voter's, so it adopts the first one it hears.
        initial = voter ? new Vote(myId, lastZxid, round, currentEpoch)
                : new Vote(Vote.NO_LEADER, Long.MIN_VALUE, round, Long.MIN_VALUE);
        Outbox out = new Outbox();
        propose(initial, out);
        checkQuorum(out);
        return out.build();
    }

    public ElectionOutput receive(Notification n) {
        if (!started || n.sid() == myId) {
            return ElectionOutput.NONE;
        }
        idleTicks = 0;
        Outbox out = new Outbox();
        if (!voter && state != ServerState.LOOKING) {
            // Observers only ever ask; answering voters' answers would ping-pong forever.
            return ElectionOutput.NONE;
        }
        if (state != ServerState.LOOKING) {
            if (n.state() == ServerState.LOOKING) {
                out.send(n.sid(), Notification.of(decision.vote(), state, myId));
            }
            return out.build();
        }
        if (!tally.isVoter(n.sid())) {
            // An observer asking: tell it what we propose, but its vote does not count.
            out.send(n.sid(), Notification.of(proposal, ServerState.LOOKING, myId));
            return out.build();
        }
        if (!tally.isVoter(n.leader())) {
            return ElectionOutput.NONE;
        }
        switch (n.state()) {
            case LOOKING -> onLooking(n, out);
            case FOLLOWING, LEADING -> onSettled(n, out);
            case OBSERVING -> { }
        }
        return out.build();
    }

    public ElectionOutput tick() {
        if (!started || state != ServerState.LOOKING) {
            return ElectionOutput.NONE;
        }
        Outbox out = new Outbox();
        if (settleTicksLeft > 0 && --settleTicksLeft == 0) {
            decideIfStillBacked(out);
            if (decision != null) {
                return out.build();
            }
        }
        if (++idleTicks >= resendInterval) {
            // Nothing heard for a while: peers may have missed us (or just come up); say it again, less often.
            idleTicks = 0;
            resendInterval = Math.min(resendInterval * 2, timing.resendMaxTicks());
            broadcast(out);
        }
        return out.build();
    }

    /**
     * The leader established a new epoch after the election: answer later joiners with it, so that the votes of
     * the leader and of its followers (which all learned the epoch) keep agreeing. ZooKeeper's updateElectionVote.
     */
    public void updatePeerEpoch(long newEpoch) {
        if (decision != null) {
            Vote v = decision.vote();
            decision = new Decision(decision.role(), decision.leader(),
                    new Vote(v.leader(), v.zxid(), v.electionEpoch(), newEpoch));
        }
    }

    public ServerState state() {
        return state;
    }

    public long round() {
        return round;
    }

    public Optional<Decision> decision() {
        return Optional.ofNullable(decision);
    }

    /** The vote this server currently pushes (its settled vote once decided); null before {@link #start}. */
    public Vote currentVote() {
        return decision != null ? decision.vote() : proposal;
    }

    private void onLooking(Notification n, Outbox out) {
        if (n.zxid() == -1) {
            return;
        }
        if (n.electionEpoch() < round) {
            // A server behind by rounds: show it ours so it catches up.
            if (voter) {
                out.send(n.sid(), Notification.of(proposal, ServerState.LOOKING, myId));
            }
            return;
        }
        if (n.electionEpoch() > round) {
            round = n.electionEpoch();
            received.clear();
            Vote theirs = n.vote();
            propose(theirs.beats(initial.inRound(round)) ? theirs : initial.inRound(round), out);
        } else if (n.vote().beats(proposal)) {
            propose(n.vote(), out);
        }
        received.put(n.sid(), n);
        checkQuorum(out);
    }

    /** A FOLLOWING or LEADING server: follow its leader if a quorum is settled on it and the leader says so too. */
    private void onSettled(Notification n, Outbox out) {
        Vote theirs = n.vote();
        if (n.electionEpoch() == round) {
            received.put(n.sid(), n);
            if (tally.hasQuorum(received, theirs, n.state()) && leaderConfirms(received, n.leader(), round)) {
                decide(theirs, out);
                return;
            }
        }
        settledPeers.put(n.sid(), n);
        if (tally.hasQuorum(settledPeers, theirs, n.state()) && leaderConfirms(settledPeers, n.leader(), -1)) {
            round = n.electionEpoch();
            decide(theirs, out);
        }
    }

    /** ZooKeeper's checkLeader: another server leads only if we heard it say LEADING; we lead only in this round. */
    private boolean leaderConfirms(Map<Long, Notification> votes, long leader, long electionEpoch) {
        if (leader != myId) {
            Notification fromLeader = votes.get(leader);
            return fromLeader != null && fromLeader.state() == ServerState.LEADING;
        }
        return round == electionEpoch;
    }

    private void propose(Vote vote, Outbox out) {
        proposal = vote.inRound(round);
        settleTicksLeft = -1;
        if (voter) {
            received.put(myId, Notification.of(proposal, ServerState.LOOKING, myId));
        }
        broadcast(out);
    }

    private void broadcast(Outbox out) {
        Notification n = Notification.of(proposal, ServerState.LOOKING, myId);
        for (long sid : tally.voters()) {
            if (sid != myId) {
                out.send(sid, n);
            }
        }
    }

    private void checkQuorum(Outbox out) {
        if (settleTicksLeft < 0 && tally.hasQuorum(received, proposal, ServerState.LOOKING)) {
            settleTicksLeft = timing.finalizeWaitTicks();
            if (settleTicksLeft == 0) {
                decide(proposal, out);
            }
        }
    }

    private void decideIfStillBacked(Outbox out) {
        if (tally.hasQuorum(received, proposal, ServerState.LOOKING)) {
            decide(proposal, out);
        } else {
            settleTicksLeft = -1;
        }
    }

    private void decide(Vote vote, Outbox out) {
        ServerState role = vote.leader() == myId ? ServerState.LEADING
                : voter ? ServerState.FOLLOWING : ServerState.OBSERVING;
        state = role;
        settleTicksLeft = -1;
        decision = new Decision(role, vote.leader(), vote.inRound(round));
        out.decision = decision;
    }

    /** Collects one input's effects. */
    private static final class Outbox {
        private final List<Outgoing> messages = new ArrayList<>();
        private Decision decision;

        void send(long to, Notification n) {
            messages.add(new Outgoing(to, n));
        }

        ElectionOutput build() {
            return messages.isEmpty() && decision == null ? ElectionOutput.NONE
                    : new ElectionOutput(messages, Optional.ofNullable(decision));
        }
    }
}
