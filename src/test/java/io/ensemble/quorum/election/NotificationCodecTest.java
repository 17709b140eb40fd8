package io.ensemble.quorum.election;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NotificationCodecTest {

    @Test
    void roundTripsEveryStateAndTakesTheSenderFromTheConnection() {
        for (ServerState state : ServerState.values()) {
            Notification n = new Notification(3, 0x2_0000_0007L, 4, state, 99, 2);
            Notification back = NotificationCodec.decode(5, NotificationCodec.encode(n));
            assertThat(back).isEqualTo(new Notification(3, 0x2_0000_0007L, 4, state, 5, 2));
        }
    }

    @Test
    void keepsAnObserversEmptyVote() {
        Notification n = new Notification(Vote.NO_LEADER, Long.MIN_VALUE, 1, ServerState.LOOKING, 4, Long.MIN_VALUE);
        assertThat(NotificationCodec.decode(4, NotificationCodec.encode(n))).isEqualTo(n);
    }

    @Test
    void rejectsMalformedBodies() {
        byte[] good = NotificationCodec.encode(new Notification(1, 0, 1, ServerState.LOOKING, 1, 0));
        byte[] shortBody = new byte[good.length - 1];
        byte[] badFormat = good.clone();
        badFormat[0] = 9;
        byte[] badState = good.clone();
        badState[4] = 7;

        assertThatThrownBy(() -> NotificationCodec.decode(1, shortBody)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NotificationCodec.decode(1, badFormat)).hasMessageContaining("format");
        assertThatThrownBy(() -> NotificationCodec.decode(1, badState)).hasMessageContaining("state");
    }
}
