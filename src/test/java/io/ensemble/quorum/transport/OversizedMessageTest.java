package io.ensemble.quorum.transport;

import io.ensemble.quorum.zab.ZabMessage.Commit;
import io.ensemble.quorum.zab.ZabMessage.FollowerInfo;
import io.ensemble.quorum.zab.ZabMessage.Request;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A message too large for a frame must not be skipped while the connection goes on: the learner's next ACK is
 * cumulative and would vouch for a PROPOSAL it never saw. The connection ends instead, and the learner resyncs.
 */
class OversizedMessageTest extends QuorumTransportFixture {

    @Test
    void aMessageLargerThanAFrameEndsTheConnectionInsteadOfLeavingAGap() throws IOException {
        LeaderListener leader = startLeader(FAST); // 1 KiB frames
        LearnerEvents two = startLearner(2, false, leader.localPort(), 20_000);
        two.connector.send(new FollowerInfo(2, 1, 0));
        await().atMost(WAIT).until(() -> leaderEvents.from(2).size() == 1);

        assertThat(leader.send(2, new Commit(1))).isTrue();
        // Delivered before the failure: an ended connection drops whatever it still had queued.
        await().atMost(WAIT).until(() -> two.received.size() == 1);
        boolean sent = leader.send(2, new Request(1, 1, 1, new byte[2000], List.of()));
        boolean after = leader.send(2, new Commit(2));

        assertThat(sent).as("the oversized message was sent").isFalse();
        assertThat(after).as("a message after it went on the same connection").isFalse();
        await().atMost(WAIT).until(() -> two.disconnected != null);
        assertThat(two.received).containsExactly(new Commit(1));
    }

    @Test
    void framesFollowTheLogsEntryLimitAboveTheDefault() {
        assertThat(QuorumLinkOptions.forMaxEntry((6 << 20) + 4096).maxFrameBytes())
                .isGreaterThan((6 << 20) + 4096);
        assertThat(QuorumLinkOptions.forMaxEntry(0xfffff + 4096).maxFrameBytes())
                .isEqualTo(QuorumLinkOptions.defaults().maxFrameBytes());
    }
}
