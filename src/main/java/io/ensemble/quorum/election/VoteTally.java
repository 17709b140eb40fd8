package io.ensemble.quorum.election;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/** Counts the voters among received notifications that agree with a vote, against a majority of voters. */
final class VoteTally {

    /** Sorted, so that broadcasts go out in the same order on every run (golden transcripts depend on it). */
    private final SortedSet<Long> voters;
    private final int quorum;

    VoteTally(Collection<Long> voters) {
        this.voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
        this.quorum = this.voters.size() / 2 + 1;
    }

    boolean isVoter(long sid) {
        return voters.contains(sid);
    }

    SortedSet<Long> voters() {
        return voters;
    }

    /**
     * Whether a majority of voters agree with {@code target} cast in state {@code targetState}. As in ZooKeeper's
     * Vote.equals, a LOOKING vote on either side must match in every field; two settled votes (FOLLOWING/LEADING)
     * need only name the same leader and epoch, since they may come from different rounds.
     */
    boolean hasQuorum(Map<Long, Notification> votes, Vote target, ServerState targetState) {
        int agreeing = 0;
        for (Notification n : votes.values()) {
            if (voters.contains(n.sid()) && agrees(n, target, targetState)) {
                agreeing++;
            }
        }
        return agreeing >= quorum;
    }

    private static boolean agrees(Notification n, Vote target, ServerState targetState) {
        if (n.state() == ServerState.LOOKING || targetState == ServerState.LOOKING) {
            return n.vote().sameAs(target);
        }
        return n.leader() == target.leader() && n.peerEpoch() == target.peerEpoch();
    }
}
