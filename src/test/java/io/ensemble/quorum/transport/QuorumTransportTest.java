package io.ensemble.quorum.transport;

import io.ensemble.quorum.election.tcp.Frames;
import io.ensemble.quorum.zab.ZabMessage;
import io.ensemble.quorum.zab.ZabMessage.Ack;
import io.ensemble.quorum.zab.ZabMessage.Commit;
import io.ensemble.quorum.zab.ZabMessage.FollowerInfo;
import io.ensemble.quorum.zab.ZabMessageCodec;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Connections, identity and framing of the quorum port. */
class QuorumTransportTest extends QuorumTransportFixture {

    @Test
    void aLeaderAndTwoLearnersExchangeMessagesInOrder() throws IOException {
        LeaderListener leader = startLeader(FAST);
        LearnerEvents two = startLearner(2, false, leader.localPort(), 20_000);
        LearnerEvents three = startLearner(3, false, leader.localPort(), 20_000);

        List<ZabMessage> fromTwo = sequence(new FollowerInfo(2, 1, 0), Ack::new);
        List<ZabMessage> fromThree = sequence(new FollowerInfo(3, 1, 0), Ack::new);
        fromTwo.forEach(two.connector::send);
        fromThree.forEach(three.connector::send);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(leaderEvents.from(2)).containsExactlyElementsOf(fromTwo);
            assertThat(leaderEvents.from(3)).containsExactlyElementsOf(fromThree);
        });
        assertThat(leader.connected()).containsExactly(2L, 3L);

        List<ZabMessage> commits = sequence(null, Commit::new);
        commits.forEach(m -> leader.send(2, m));
        commits.forEach(m -> leader.send(3, m));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(two.received).containsExactlyElementsOf(commits);
            assertThat(three.received).containsExactlyElementsOf(commits);
        });
        assertThat(leaderEvents.disconnected).isEmpty();
    }

    @Test
    void unknownServersAndObserversClaimingToVoteAreRefused() throws IOException {
        LeaderListener leader = startLeader(FAST);
        LearnerEvents stranger = startLearner(9, false, leader.localPort(), 20_000);
        LearnerEvents fakeVoter = startLearner(4, false, leader.localPort(), 20_000);
        LearnerEvents itself = startLearner(1, false, leader.localPort(), 20_000);
        LearnerEvents observer = startLearner(4, true, leader.localPort(), 20_000);
        observer.connector.send(new ZabMessage.ObserverInfo(4, 1, 0));

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(stranger.disconnected).isNotNull();
            assertThat(fakeVoter.disconnected).isNotNull();
            assertThat(itself.disconnected).isNotNull();
            assertThat(leaderEvents.from(4)).containsExactly(new ZabMessage.ObserverInfo(4, 1, 0));
        });
        assertThat(leader.connected()).containsExactly(4L);
        assertThat(observer.disconnected).isNull();
    }

    @Test
    void aFollowerInfoNamingAnotherServerClosesTheConnection() throws IOException {
        LeaderListener leader = startLeader(FAST);
        LearnerEvents two = startLearner(2, false, leader.localPort(), 20_000);
        two.connector.send(new FollowerInfo(3, 1, 0));

        await().atMost(WAIT).until(() -> two.disconnected != null && leaderEvents.disconnected.containsKey(2L));
        assertThat(leaderEvents.from(2)).isEmpty();
    }

    @Test
    void garbageAndOversizedFramesCloseOnlyThatConnection() throws IOException {
        LeaderListener leader = startLeader(FAST);
        LearnerEvents two = startLearner(2, false, leader.localPort(), 20_000);
        two.connector.send(new FollowerInfo(2, 1, 0));
        await().atMost(WAIT).until(() -> leaderEvents.from(2).size() == 1);

        assertClosedByLeader(leader, out -> write(out, o -> o.writeInt(0x12345678))); // not a handshake
        assertClosedByLeader(leader, out -> write(out, o -> {
            handshake(o, 3);
            o.writeInt(FAST.maxFrameBytes() + 1); // oversized: refused before its body is read
        }));
        assertClosedByLeader(leader, out -> write(out, o -> {
            handshake(o, 3);
            o.writeInt(4);
            o.writeInt(999); // no such packet type
        }));

        leader.send(2, new Commit(7));
        two.connector.send(new Ack(7));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(two.received).containsExactly(new Commit(7));
            assertThat(leaderEvents.from(2)).containsExactly(new FollowerInfo(2, 1, 0), new Ack(7));
        });
        assertThat(two.disconnected).isNull();
        assertThat(leaderEvents.disconnected).containsOnlyKeys(3L);
    }

    @Test
    void aLearnerThatDialsBeforeTheLeaderListensConnectsOnceItDoes() throws IOException {
        int port = freedPort();
        LearnerEvents two = startLearner(2, false, port, 20_000);
        two.connector.send(new FollowerInfo(2, 1, 0)); // queued until the connection is up

        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        startLeader(socket, FAST);

        await().atMost(WAIT).until(() -> leaderEvents.from(2).equals(List.of(new FollowerInfo(2, 1, 0))));
        assertThat(two.connector.isConnected()).isTrue();
    }

    @Test
    void aLearnerGivesUpWhenNoLeaderAppearsInTime() throws IOException {
        LearnerEvents two = startLearner(2, false, freedPort(), 300);

        await().atMost(WAIT).until(() -> two.disconnected != null);
        assertThat(two.disconnected).contains("within 300 ms");
        assertThat(two.connector.send(new Ack(1))).isFalse();
    }

    @Test
    void learnersSeeTheLeaderClose() throws IOException {
        LeaderListener leader = startLeader(FAST);
        LearnerEvents two = startLearner(2, false, leader.localPort(), 20_000);
        two.connector.send(new FollowerInfo(2, 1, 0));
        await().atMost(WAIT).until(() -> leaderEvents.from(2).size() == 1);
        leader.send(2, new Commit(1));
        await().atMost(WAIT).until(() -> two.received.size() == 1);

        leader.close();

        await().atMost(WAIT).until(() -> two.disconnected != null);
        assertThat(leaderEvents.disconnected).isEmpty(); // the leader's driver closed it: no callback
    }

    @Test
    void aConnectionClosedBeforeTheLeaderSpeaksIsDialledAgainWithWhatWasSentOnIt() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout((int) WAIT.toMillis());
            LearnerEvents two = startLearner(2, false, server.getLocalPort(), 20_000);
            two.connector.send(new FollowerInfo(2, 1, 0));

            // What a proxy does when the leader does not listen yet: accept, then close.
            server.accept().close();
            try (Socket second = server.accept()) {
                second.setSoTimeout((int) WAIT.toMillis());
                DataInputStream in = new DataInputStream(second.getInputStream());
                assertThat(QuorumHandshake.readFrom(in)).isEqualTo(new QuorumHandshake(2, false));
                assertThat(ZabMessageCodec.decode(Frames.readFrame(in, FAST.maxFrameBytes())))
                        .isEqualTo(new FollowerInfo(2, 1, 0));
                assertThat(two.disconnected).isNull();
            }
        }
    }

    @Test
    void aLeaderThatKeepsClosingBeforeItSpeaksSendsTheLearnerBackToElection() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout((int) WAIT.toMillis());
            LearnerEvents two = startLearner(2, false, server.getLocalPort(), 60_000);
            AtomicInteger accepted = new AtomicInteger();
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        server.accept().close();
                        accepted.incrementAndGet();
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });

            await().atMost(WAIT).until(() -> two.disconnected != null); // well before the 60 s give-up
            assertThat(accepted.get()).isGreaterThan(1);
        }
    }

    @Test
    void aLeaderThatClosesBeforeItSpeaksAndStopsListeningSendsTheLearnerBackToElection() throws IOException {
        LearnerEvents two;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout((int) WAIT.toMillis());
            two = startLearner(2, false, server.getLocalPort(), 60_000);
            server.accept().close();
        }

        await().atMost(WAIT).until(() -> two.disconnected != null);
        assertThat(two.disconnected).contains("no longer accepts");
    }

    private static List<ZabMessage> sequence(ZabMessage first, java.util.function.LongFunction<ZabMessage> each) {
        List<ZabMessage> messages = new ArrayList<>();
        if (first != null) {
            messages.add(first);
        }
        for (long i = 1; i <= 200; i++) {
            messages.add(each.apply(i));
        }
        return messages;
    }

    private void assertClosedByLeader(LeaderListener leader, Consumer<Socket> misbehave) throws IOException {
        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), leader.localPort())) {
            raw.setSoTimeout((int) WAIT.toMillis());
            misbehave.accept(raw);
            assertThat(raw.getInputStream().read()).isEqualTo(-1);
        }
    }

    static void handshake(DataOutputStream out, long sid) throws IOException {
        out.writeInt(QuorumHandshake.MAGIC);
        out.writeLong(sid);
        out.writeBoolean(false);
    }

    private interface RawWrite {
        void to(DataOutputStream out) throws IOException;
    }

    private static void write(Socket socket, RawWrite write) {
        try {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            write.to(out);
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
