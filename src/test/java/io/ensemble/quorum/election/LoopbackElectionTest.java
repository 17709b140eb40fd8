package io.ensemble.quorum.election;

import org.junit.jupiter.api.Test;

import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ensemble.quorum.election.ServerState.FOLLOWING;
import static io.ensemble.quorum.election.ServerState.LEADING;
import static io.ensemble.quorum.election.ServerState.OBSERVING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real TCP election transports on loopback ports, three or four servers in one JVM. */
class LoopbackElectionTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void threeServersElectTheMostUpToDateThenReElectWhenItDies() throws Exception {
        try (LoopbackEnsemble ensemble = new LoopbackEnsemble()
                .server(1, false).server(2, false).server(3, false).startAll()) {
            CompletableFuture<Decision> d1 = ensemble.election(1).lookForLeader(0x1_0000_0003L, 1);
            CompletableFuture<Decision> d2 = ensemble.election(2).lookForLeader(0x1_0000_0009L, 1);
            CompletableFuture<Decision> d3 = ensemble.election(3).lookForLeader(0x1_0000_0001L, 1);

            assertThat(d2.get(WAIT.toSeconds(), TimeUnit.SECONDS).role()).isEqualTo(LEADING);
            assertThat(d1.get(WAIT.toSeconds(), TimeUnit.SECONDS)).extracting(Decision::role, Decision::leader)
                    .containsExactly(FOLLOWING, 2L);
            assertThat(d3.get(WAIT.toSeconds(), TimeUnit.SECONDS)).extracting(Decision::role, Decision::leader)
                    .containsExactly(FOLLOWING, 2L);

            ensemble.kill(2);
            // The quorum layer notices the lost leader; here the test plays that part.
            CompletableFuture<Decision> again1 = ensemble.election(1).lookForLeader(0x1_0000_0003L, 1);
            CompletableFuture<Decision> again3 = ensemble.election(3).lookForLeader(0x1_0000_0001L, 1);

            assertThat(again1.get(WAIT.toSeconds(), TimeUnit.SECONDS).role()).isEqualTo(LEADING);
            Decision follower = again3.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(follower.role()).isEqualTo(FOLLOWING);
            assertThat(follower.leader()).isEqualTo(1L);
            assertThat(follower.vote().electionEpoch()).isEqualTo(2);
        }
    }

    @Test
    void aPeerThatDoesNotResolveYetDoesNotStopTheOthers() throws Exception {
        try (LoopbackEnsemble ensemble = new LoopbackEnsemble()
                .server(1, false).server(2, false).unresolvable(3, "zk-2.ensemble-hs.invalid").startAll()) {
            CompletableFuture<Decision> d1 = ensemble.election(1).lookForLeader(0, 0);
            CompletableFuture<Decision> d2 = ensemble.election(2).lookForLeader(0, 0);

            assertThat(d2.get(WAIT.toSeconds(), TimeUnit.SECONDS).role()).isEqualTo(LEADING);
            assertThat(d1.get(WAIT.toSeconds(), TimeUnit.SECONDS).leader()).isEqualTo(2L);
        }
    }

    @Test
    void aLateServerAndAnObserverLearnTheLeader() throws Exception {
        LoopbackEnsemble ensemble = new LoopbackEnsemble()
                .server(1, false).server(2, false).server(3, false).server(4, true);
        try (ensemble) {
            ensemble.startServer(1);
            ensemble.startServer(2);
            CompletableFuture<Decision> d1 = ensemble.election(1).lookForLeader(0, 0);
            CompletableFuture<Decision> d2 = ensemble.election(2).lookForLeader(0, 0);
            assertThat(d2.get(WAIT.toSeconds(), TimeUnit.SECONDS).role()).isEqualTo(LEADING);
            assertThat(d1.get(WAIT.toSeconds(), TimeUnit.SECONDS).role()).isEqualTo(FOLLOWING);

            // 3 has the highest id and 4 (an observer) the most data, yet both join the existing leader.
            CompletableFuture<Decision> d3 = ensemble.startServer(3).lookForLeader(0, 0);
            CompletableFuture<Decision> d4 = ensemble.startServer(4).lookForLeader(0x7_0000_0000L, 7);

            assertThat(d3.get(WAIT.toSeconds(), TimeUnit.SECONDS)).extracting(Decision::role, Decision::leader)
                    .containsExactly(FOLLOWING, 2L);
            assertThat(d4.get(WAIT.toSeconds(), TimeUnit.SECONDS)).extracting(Decision::role, Decision::leader)
                    .containsExactly(OBSERVING, 2L);
        }
    }

    @Test
    void garbageOnTheElectionPortClosesOnlyThatConnection() throws Exception {
        try (LoopbackEnsemble ensemble = new LoopbackEnsemble()
                .server(1, false).server(2, false).server(3, false).startAll()) {
            for (byte[] junk : List.of("GET / HTTP/1.1\r\n\r\n".getBytes(), handshakeThenHugeFrame(3))) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ensemble.port(1))) {
                    s.getOutputStream().write(junk);
                    s.getOutputStream().flush();
                    s.setSoTimeout((int) WAIT.toMillis());
                    assertThat(s.getInputStream().read()).as("server closes the connection").isEqualTo(-1);
                }
            }

            List<CompletableFuture<Decision>> decisions = ensemble.elections.values().stream()
                    .map(e -> e.lookForLeader(0, 0)).toList();
            await().atMost(WAIT).until(() -> decisions.stream().allMatch(CompletableFuture::isDone));
            assertThat(decisions).allSatisfy(d -> assertThat(d.join().leader()).isEqualTo(3L));
        }
    }

    /** A valid handshake claiming to be server 3, followed by a frame longer than the port accepts. */
    private static byte[] handshakeThenHugeFrame(long sid) throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        out.writeInt(0x454e454c);
        out.writeLong(sid);
        out.writeInt(Integer.MAX_VALUE);
        out.flush();
        return bytes.toByteArray();
    }
}
