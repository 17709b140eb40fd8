package io.ensemble.quorum.transport;

import io.ensemble.config.PeerSpec;
import io.ensemble.config.QuorumConfig;
import io.ensemble.quorum.zab.ZabMessage;
import io.ensemble.quorum.zab.ZabMessage.Snap;
import org.junit.jupiter.api.AfterEach;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Real loopback sockets: leader 1, voters 2 and 3, observer 4; every listener binds port 0 (no port races). */
abstract class QuorumTransportFixture {

    static final QuorumLinkOptions FAST = new QuorumLinkOptions(2000, 10, 100, 1024, 1000);
    static final Duration WAIT = Duration.ofSeconds(20);

    final LeaderEvents leaderEvents = new LeaderEvents();
    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    static QuorumConfig config(int leaderPort) {
        return new QuorumConfig(1, List.of(
                new PeerSpec(1, "127.0.0.1", leaderPort, 1, false, null, 0),
                new PeerSpec(2, "127.0.0.1", 1, 1, false, null, 0),
                new PeerSpec(3, "127.0.0.1", 1, 1, false, null, 0),
                new PeerSpec(4, "127.0.0.1", 1, 1, true, null, 0)), 10, 5);
    }

    LeaderListener startLeader(QuorumLinkOptions options) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return startLeader(socket, options);
    }

    LeaderListener startLeader(ServerSocket socket, QuorumLinkOptions options) {
        LeaderListener leader = new LeaderListener(config(socket.getLocalPort()), socket, options, leaderEvents);
        toClose.add(leader);
        leader.start();
        return leader;
    }

    LearnerEvents startLearner(long sid, boolean observer, int leaderPort, long giveUpMillis) {
        LearnerEvents events = new LearnerEvents();
        events.connector = new LearnerConnector(sid, observer, "localhost", leaderPort, FAST, giveUpMillis, events);
        toClose.add(events.connector);
        events.connector.start();
        return events;
    }

    /** A port nothing listens on: bound, noted and released. */
    static int freedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static final class LeaderEvents implements LeaderListener.Handler {
        final Map<Long, List<ZabMessage>> received = new ConcurrentHashMap<>();
        final Map<Long, String> disconnected = new ConcurrentHashMap<>();

        @Override
        public void onMessage(long sid, ZabMessage message) {
            received.computeIfAbsent(sid, s -> new CopyOnWriteArrayList<>()).add(message);
        }

        @Override
        public void onDisconnected(long sid, String reason) {
            disconnected.put(sid, reason);
        }

        List<ZabMessage> from(long sid) {
            return received.getOrDefault(sid, List.of());
        }
    }

    static final class LearnerEvents implements LearnerConnector.Handler {
        final List<ZabMessage> received = new CopyOnWriteArrayList<>();
        final List<byte[]> snapshots = new CopyOnWriteArrayList<>();
        volatile String disconnected;
        LearnerConnector connector;

        @Override
        public void onMessage(ZabMessage message) {
            received.add(message);
        }

        @Override
        public void onSnapshot(Snap snap, InputStream body) throws IOException {
            snapshots.add(body.readAllBytes());
            received.add(snap);
        }

        @Override
        public void onDisconnected(String reason) {
            disconnected = reason;
        }
    }
}
