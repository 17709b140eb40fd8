package io.ensemble.quorum.election.tcp;

import io.ensemble.config.PeerSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The election port's connection rules, with raw string messages between real loopback sockets. */
class TcpElectionTransportTest {

    private static final TransportOptions FAST = new TransportOptions(2000, 10, 200, 1024, 4);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<PeerSpec> peers = new ArrayList<>();
    private final Map<Long, ServerSocket> listeners = new TreeMap<>();
    private final Map<Long, TcpElectionTransport> transports = new TreeMap<>();
    private final Map<Long, Queue<String>> inboxes = new TreeMap<>();

    @AfterEach
    void closeAll() throws IOException {
        transports.values().forEach(TcpElectionTransport::close);
        for (ServerSocket s : listeners.values()) {
            s.close();
        }
    }

    @Test
    void messagesFlowBothWaysOverTheOneConnection() throws IOException {
        bind(1, 2);
        start(1);
        start(2);

        send(1, 2, "hello from 1");
        send(2, 1, "hello from 2");

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(inboxes.get(2L)).containsExactly("1:hello from 1");
            assertThat(inboxes.get(1L)).containsExactly("2:hello from 2");
        });
        assertThat(transports.get(1L).isConnected(2)).isTrue();
        assertThat(transports.get(2L).isConnected(1)).isTrue();
    }

    @Test
    void aLowerIdKnocksAndTheHigherDialsBackWhenItComesUp() throws IOException {
        bind(1, 2);
        start(1);
        send(1, 2, "queued before 2 started"); // 1 may only knock; 2 must dial back

        start(2);

        await().atMost(WAIT).untilAsserted(() ->
                assertThat(inboxes.get(2L)).containsExactly("1:queued before 2 started"));
    }

    @Test
    void aRejectedMessageClosesOnlyThatLinkAndItComesBack() throws IOException {
        bind(1, 2, 3);
        start(1);
        start(2);
        start(3);
        send(2, 3, "first from 2");
        send(1, 3, "first from 1");
        await().atMost(WAIT).until(() -> inboxes.get(3L).containsAll(List.of("2:first from 2", "1:first from 1")));

        send(1, 3, "bad"); // 3's handler throws IllegalArgumentException on it
        await().atMost(WAIT).until(() -> !transports.get(1L).isConnected(3));
        send(1, 3, "good");
        send(2, 3, "second from 2");

        await().atMost(WAIT).untilAsserted(() -> assertThat(inboxes.get(3L))
                .contains("1:good", "2:second from 2").doesNotContain("1:bad"));
    }

    @Test
    void anUnknownServerIsTurnedAway() throws IOException {
        bind(1, 2);
        start(2);
        // 1 is not in 2's view of the ensemble: its handshake is refused, 2 carries on.
        TcpElectionTransport stranger = new TcpElectionTransport(9,
                List.of(peers.get(1), new PeerSpec(9, "127.0.0.1", 1, 2, false, null, 0)),
                new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), FAST);
        transports.put(9L, stranger);
        stranger.start((from, message) -> { });
        stranger.send(2, "who am I".getBytes(StandardCharsets.UTF_8));
        start(1);
        send(1, 2, "a member");

        await().atMost(WAIT).untilAsserted(() -> assertThat(inboxes.get(2L)).containsExactly("1:a member"));
    }

    private void bind(long... ids) throws IOException {
        for (long id : ids) {
            ServerSocket listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            listeners.put(id, listener);
            peers.add(new PeerSpec(id, "127.0.0.1", 1, listener.getLocalPort(), false, null, 0));
        }
    }

    private void start(long id) {
        Queue<String> inbox = new ConcurrentLinkedQueue<>();
        inboxes.put(id, inbox);
        TcpElectionTransport t = new TcpElectionTransport(id, peers, listeners.get(id), FAST);
        transports.put(id, t);
        t.start((from, message) -> {
            String text = new String(message, StandardCharsets.UTF_8);
            if (text.equals("bad")) {
                throw new IllegalArgumentException("rejected by the test");
            }
            inbox.add(from + ":" + text);
        });
    }

    private void send(long from, long to, String text) {
        transports.get(from).send(to, text.getBytes(StandardCharsets.UTF_8));
    }
}
