package io.ensemble.quorum.election;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The total order of candidates: epoch, then zxid, then id; the round plays no part. */
class VoteTest {

    @Test
    void epochThenZxidThenId() {
        Vote base = new Vote(2, 0x1_0000_0005L, 1, 1);
        assertThat(new Vote(1, 0x1_0000_0001L, 1, 2).beats(base)).isTrue();
        assertThat(new Vote(1, 0x1_0000_0006L, 1, 1).beats(base)).isTrue();
        assertThat(new Vote(3, 0x1_0000_0005L, 1, 1).beats(base)).isTrue();
        assertThat(new Vote(1, 0x1_0000_0005L, 1, 1).beats(base)).isFalse();
        assertThat(base.beats(base)).isFalse();
        assertThat(new Vote(2, 0x1_0000_0005L, 9, 1).beats(base)).isFalse();
    }

    @Test
    void anyVoterBeatsAnObserversEmptyVote() {
        Vote empty = new Vote(Vote.NO_LEADER, Long.MIN_VALUE, 1, Long.MIN_VALUE);
        assertThat(new Vote(1, 0, 1, 0).beats(empty)).isTrue();
    }
}
