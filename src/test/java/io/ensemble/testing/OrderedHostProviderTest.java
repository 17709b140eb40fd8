package io.ensemble.testing;

import org.apache.zookeeper.client.HostProvider;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The order in which the stock provider, seeded, hands out servers: no server is connected to here. */
class OrderedHostProviderTest {
    private static final List<Integer> PORTS = List.of(2181, 2182, 2183);

    @Test
    void inOrderHandsOutEveryOrderOfThreeServersAsGivenRoundAfterRound() {
        for (List<Integer> order : List.of(List.of(2181, 2182, 2183), List.of(2183, 2181, 2182),
                List.of(2182, 2183, 2181), List.of(2183, 2182, 2181))) {
            HostProvider provider = OrderedHostProvider.inOrder(order);
            List<Integer> twoRounds = new ArrayList<>(order);
            twoRounds.addAll(order);
            assertThat(ports(provider, 6)).as("order %s", order).isEqualTo(twoRounds);
        }
    }

    @Test
    void startingAtPutsThatServerFirstAndTheOthersAfterIt() {
        for (int first : PORTS) {
            List<Integer> handedOut = ports(OrderedHostProvider.startingAt(first, PORTS), 3);
            assertThat(handedOut.getFirst()).isEqualTo(first);
            assertThat(handedOut).containsExactlyInAnyOrderElementsOf(PORTS);
        }
    }

    @Test
    void startingAtAServerNotInTheListFails() {
        assertThatThrownBy(() -> OrderedHostProvider.startingAt(2999, PORTS))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The first {@code n} servers {@code provider} hands out (spin delay 0: no back-off pause). */
    private static List<Integer> ports(HostProvider provider, int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            InetSocketAddress next = provider.next(0);
            out.add(next.getPort());
        }
        return out;
    }
}
