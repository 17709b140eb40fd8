package io.ensemble.quorum.election;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.ensemble.quorum.election.ServerState.FOLLOWING;
import static io.ensemble.quorum.election.ServerState.LEADING;
import static io.ensemble.quorum.election.ServerState.LOOKING;
import static io.ensemble.quorum.election.ServerState.OBSERVING;
import static org.assertj.core.api.Assertions.assertThat;

/** Elections among 3 and 5 pure state machines over the in-memory network, in one thread. */
class ElectionStateMachineTest {

    @Test
    void equalServersElectTheHighestId() {
        ElectionNetwork net = ElectionNetwork.ofVoters(1, 2, 3);
        net.ids().forEach(id -> net.start(id, 0, 0));
        net.run(5);

        assertRoles(net, 3, Set.of(1L, 2L, 3L));
    }

    @Test
    void theHighestZxidWinsOverTheHighestId() {
        ElectionNetwork net = ElectionNetwork.ofVoters(1, 2, 3);
        net.start(1, 0x1_0000_0005L, 1);
        net.start(2, 0x1_0000_0003L, 1);
        net.start(3, 0x1_0000_0004L, 1);
        net.run(5);

        assertRoles(net, 1, Set.of(1L, 2L, 3L));
        assertThat(net.decision(2).orElseThrow().vote().zxid()).isEqualTo(0x1_0000_0005L);
    }

    @Test
    void theHighestEpochWinsOverTheHighestZxid() {
        ElectionNetwork net = ElectionNetwork.ofVoters(1, 2, 3, 4, 5);
        net.start(1, 0x1_0000_0009L, 1);
        net.start(2, 0x2_0000_0001L, 2);
        net.start(3, 0x1_0000_0007L, 1);
        net.start(4, 0x1_0000_0009L, 1);
        net.start(5, 0x1_0000_0002L, 1);
        net.run(5);

        assertRoles(net, 2, Set.of(1L, 2L, 3L, 4L, 5L));
    }

    @Test
    void nothingIsDecidedBeforeTheSettleWait() {
        ElectionNetwork net = ElectionNetwork.ofVoters(1, 2, 3);
        net.ids().forEach(id -> net.start(id, 0, 0));
        net.deliverAll();
        assertThat(net.ids()).allSatisfy(id -> assertThat(net.state(id)).isEqualTo(LOOKING));

        net.tick();
        net.deliverAll();
        assertThat(net.ids()).allSatisfy(id -> assertThat(net.state(id)).isEqualTo(LOOKING));

        net.tick(); // finalizeWait is 2 ticks
        assertRoles(net, 3, Set.of(1L, 2L, 3L));
    }

    @Test
    void aBetterVoteDuringTheSettleWaitWins() {
        ElectionNetwork net = ElectionNetwork.ofVoters(1, 2, 3);
        net.start(1, 0, 0);
        net.start(2, 0, 0);
        net.deliverAll();
        net.tick(); // 1 and 2 agree on 2 and are settling

        net.start(3, 0, 0);
        net.run(5);

        assertRoles(net, 3, Set.of(1L, 2L, 3L));
    }

    @Test
    void observersNeverWinButLearnTheLeader() {
        ElectionNetwork net = new ElectionNetwork(List.of(1L, 2L, 3L), List.of(4L, 5L), ElectionNetwork.timing());
        net.start(4, 0x5_0000_0000L, 5); // most up to date, and highest ids: still not electable
        net.start(5, 0x5_0000_0000L, 5);
        net.start(1, 0x1_0000_0001L, 1);
        net.start(2, 0x1_0000_0002L, 1);
        net.start(3, 0x1_0000_0001L, 1);
        net.run(20);

        assertRoles(net, 2, Set.of(1L, 2L, 3L, 4L, 5L));
        assertThat(net.state(4)).isEqualTo(OBSERVING);
        assertThat(net.state(5)).isEqualTo(OBSERVING);
    }

    @Test
    void aPartitionedMinorityNeverDecides() {
        ElectionNetwork net = ElectionNetwork.ofVoters(1, 2, 3, 4, 5);
        net.partition(List.of(Set.of(1L, 2L), Set.of(3L, 4L, 5L)));
        net.start(1, 0x1_0000_0009L, 1); // the best server, but on the minority side
        net.start(2, 0, 1);
        net.start(3, 0, 1);
        net.start(4, 0, 1);
        net.start(5, 0, 1);
        net.run(200);

        assertRoles(net, 5, Set.of(3L, 4L, 5L));
        assertThat(net.state(1)).isEqualTo(LOOKING);
        assertThat(net.state(2)).isEqualTo(LOOKING);

        net.heal(); // the minority hears the settled majority on its next resend and joins it
        net.run(200);
        assertRoles(net, 5, Set.of(1L, 2L, 3L, 4L, 5L));
    }

    @Test
    void reElectionAfterTheLeaderIsLostPicksTheNextBest() {
        ElectionNetwork net = ElectionNetwork.ofVoters(1, 2, 3, 4, 5);
        net.start(1, 0x1_0000_0004L, 1);
        net.start(2, 0x1_0000_0005L, 1);
        net.start(3, 0x1_0000_0009L, 1);
        net.start(4, 0x1_0000_0003L, 1);
        net.start(5, 0x1_0000_0002L, 1);
        net.run(5);
        assertRoles(net, 3, Set.of(1L, 2L, 3L, 4L, 5L));

        net.crash(3);
        net.start(1, 0x1_0000_0004L, 1); // each driver noticed the leader is gone
        net.start(2, 0x1_0000_0005L, 1);
        net.start(4, 0x1_0000_0003L, 1);
        net.start(5, 0x1_0000_0002L, 1);
        net.run(5);

        assertRoles(net, 2, Set.of(1L, 2L, 4L, 5L));
        assertThat(net.decision(2).orElseThrow().vote().electionEpoch()).isEqualTo(2);
    }

    @Test
    void aFollowerStillFollowingAnswersTheOneThatRestarted() {
        ElectionNetwork net = ElectionNetwork.ofVoters(1, 2, 3);
        net.ids().forEach(id -> net.start(id, 0, 0));
        net.run(5);

        net.start(1, 0x9_0000_0000L, 9); // a blip on 1 only; the leader is alive and followed by 2
        net.run(5);

        assertRoles(net, 3, Set.of(1L, 2L, 3L));
    }

    @Test
    void aLateJoinerLearnsTheExistingLeaderEvenWhenMoreUpToDate() {
        ElectionNetwork net = ElectionNetwork.ofVoters(1, 2, 3, 4, 5);
        net.start(1, 0x1_0000_0001L, 1);
        net.start(2, 0x1_0000_0003L, 1);
        net.start(3, 0x1_0000_0002L, 1);
        net.run(20);
        assertRoles(net, 2, Set.of(1L, 2L, 3L));

        net.start(5, 0x1_0000_0009L, 1);
        net.start(4, 0, 0);
        net.run(20);

        assertRoles(net, 2, Set.of(1L, 2L, 3L, 4L, 5L));
    }

    @Test
    void aServerSeveralRoundsBehindCatchesUp() {
        ElectionNetwork net = ElectionNetwork.ofVoters(1, 2, 3);
        net.crash(1);
        net.crash(2);
        for (int i = 0; i < 4; i++) {
            net.start(3, 0, 0); // alone, 3 retries round after round
        }
        assertThat(net.machine(3).round()).isEqualTo(4);

        net.start(1, 0, 0);
        net.start(2, 0, 0);
        net.run(10);

        assertRoles(net, 3, Set.of(1L, 2L, 3L));
        assertThat(net.machine(1).round()).isEqualTo(4);
    }

    @Test
    void aSingleVoterElectsItselfAfterTheSettleWait() {
        ElectionNetwork net = ElectionNetwork.ofVoters(7);
        net.start(7, 0, 0);
        net.run(2);
        assertRoles(net, 7, Set.of(7L));
    }

    @Test
    void theLeadersNewEpochIsWhatLateJoinersAreTold() {
        ElectionNetwork net = ElectionNetwork.ofVoters(1, 2, 3);
        net.start(2, 0, 0);
        net.start(3, 0, 0);
        net.run(5);
        net.machine(2).updatePeerEpoch(1);
        net.machine(3).updatePeerEpoch(1);

        net.start(1, 0, 0);
        net.run(5);

        assertRoles(net, 3, Set.of(1L, 2L, 3L));
        assertThat(net.decision(1).orElseThrow().vote().peerEpoch()).isEqualTo(1);
    }

    private static void assertRoles(ElectionNetwork net, long leader, Set<Long> members) {
        for (long id : members) {
            Decision d = net.decision(id).orElseThrow(() -> new AssertionError("server " + id + " did not decide"));
            assertThat(d.leader()).as("leader seen by %d", id).isEqualTo(leader);
            ServerState expected = id == leader ? LEADING : net.observers().contains(id) ? OBSERVING : FOLLOWING;
            assertThat(d.role()).as("role of %d", id).isEqualTo(expected);
            assertThat(net.state(id)).isEqualTo(expected);
        }
    }
}
