package io.ensemble.quorum.transport;

import io.ensemble.quorum.zab.ZabMessage;
import io.ensemble.quorum.zab.ZabMessage.Commit;
import io.ensemble.quorum.zab.ZabMessage.FollowerInfo;
import io.ensemble.quorum.zab.ZabMessage.LeaderInfo;
import io.ensemble.quorum.zab.ZabMessage.Request;
import io.ensemble.quorum.zab.ZabMessage.Snap;
import io.ensemble.storage.SnapshotFile;
import io.ensemble.tree.NodeImage;
import io.ensemble.wire.Acl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** What follows SNAP on the wire, and what a learner that stops reading does to the leader. */
class SnapshotAndBackpressureTest extends QuorumTransportFixture {

    @TempDir
    Path dir;

    @Test
    void snapshotBytesArriveIntactBetweenTheMessagesAroundThem() throws IOException {
        LeaderListener leader = startLeader(FAST);
        LearnerEvents two = connectedLearner(leader);
        byte[] snapshot = new byte[5000]; // several 1 KiB chunks
        new Random(42).nextBytes(snapshot);

        leader.send(2, new Commit(1));
        leader.sendSnapshot(2, new Snap(5), out -> out.write(snapshot));
        leader.send(2, new Commit(6));

        await().atMost(WAIT).untilAsserted(() ->
                assertThat(two.received).containsExactly(new Commit(1), new Snap(5), new Commit(6)));
        assertThat(two.snapshots).hasSize(1);
        assertThat(two.snapshots.getFirst()).isEqualTo(snapshot);
    }

    @Test
    void aRealSnapshotFileStreamsAfterSnap() throws IOException {
        LeaderListener leader = startLeader(FAST);
        LearnerEvents two = connectedLearner(leader);
        List<NodeImage> nodes = List.of(
                new NodeImage("/", new byte[0], Acl.OPEN, 0, 0, 0, 0, 0, 1, 0, 0, 3),
                new NodeImage("/config", "x".repeat(3000).getBytes(StandardCharsets.UTF_8), Acl.OPEN, 3, 4, 10, 20,
                        1, 0, 0, 0, 3),
                new NodeImage("/lock", null, Acl.OPEN, 5, 5, 30, 30, 0, 0, 0, 0x77L, 5));

        leader.sendSnapshot(2, new Snap(5), out -> SnapshotFile.write(out, 5, Map.of(0x77L, 30_000),
                visitor -> nodes.forEach(visitor)));
        leader.send(2, new Commit(6));

        await().atMost(WAIT).until(() -> two.received.size() == 2);
        assertThat(two.received).containsExactly(new Snap(5), new Commit(6));
        Path received = Files.write(dir.resolve("snapshot.5"), two.snapshots.getFirst()); // as a learner keeps it
        SnapshotFile.Image image = SnapshotFile.read(received);
        assertThat(image.zxid()).isEqualTo(5);
        assertThat(image.sessions()).containsExactly(Map.entry(0x77L, 30_000));
        assertThat(image.nodes()).extracting(NodeImage::path).containsExactly("/", "/config", "/lock");
        assertThat(image.nodes().get(1).data()).hasSize(3000);
    }

    @Test
    void aFailingSnapshotWriterEndsThatConnection() throws IOException {
        LeaderListener leader = startLeader(FAST);
        LearnerEvents two = connectedLearner(leader);
        leader.send(2, new LeaderInfo(1)); // as a leader does before any sync: the learner now hears it as its leader
        await().atMost(WAIT).until(() -> two.received.size() == 1);

        leader.sendSnapshot(2, new Snap(5), out -> {
            out.write(new byte[3000]);
            throw new IOException("tree walk failed");
        });

        await().atMost(WAIT).until(() -> two.disconnected != null && leaderEvents.disconnected.containsKey(2L));
        assertThat(two.received).containsExactly(new LeaderInfo(1));
    }

    @Test
    void sendNeverBlocksOnALearnerThatStopsReadingItIsDisconnected() throws IOException {
        QuorumLinkOptions smallQueue = new QuorumLinkOptions(2000, 10, 100, 1 << 20, 4);
        LeaderListener leader = startLeader(smallQueue);
        try (Socket stalled = new Socket(InetAddress.getLoopbackAddress(), leader.localPort())) {
            DataOutputStream out = new DataOutputStream(stalled.getOutputStream());
            QuorumTransportTest.handshake(out, 2);
            out.flush();
            await().atMost(WAIT).until(() -> leader.connected().contains(2L));

            ZabMessage big = new Request(1, 1, 1, new byte[64 * 1024], List.of());
            // Kernel buffers take some megabytes; then the queue fills and the next send disconnects, never blocks.
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                for (int i = 0; i < 2000 && leader.send(2, big); i++) {
                    assertThat(i).isLessThan(1999);
                }
            });

            await().atMost(WAIT).until(() -> leaderEvents.disconnected.containsKey(2L));
            assertThat(leaderEvents.disconnected.get(2L)).isEqualTo("send queue full");
            assertThat(leader.connected()).isEmpty();
            assertThat(leader.send(2, big)).isFalse();
        }
    }

    private LearnerEvents connectedLearner(LeaderListener leader) {
        LearnerEvents two = startLearner(2, false, leader.localPort(), 20_000);
        two.connector.send(new FollowerInfo(2, 1, 0));
        await().atMost(WAIT).until(() -> leaderEvents.from(2).size() == 1);
        return two;
    }
}
