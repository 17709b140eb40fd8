package io.ensemble.quorum.zab;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The sync and broadcast phases of Zab 1.0, each shown on a small simulated ensemble. */
class ZabScenarioTest {

    private static final Set<Long> THREE = Set.of(1L, 2L, 3L);
    private static final int INIT = 5;
    private static final int SYNC = 3;

    private static SimCluster cluster(Set<Long> voters, Set<Long> observers, int commitLogCount) {
        return new SimCluster(voters, observers, INIT, SYNC, commitLogCount);
    }

    /** Leader 1 with every other server following it, proposals made and committed. */
    private static SimCluster established(Set<Long> voters, Set<Long> observers, int commitLogCount, int writes) {
        SimCluster c = cluster(voters, observers, commitLogCount);
        c.lead(1);
        c.servers().stream().filter(s -> s.id != 1).forEach(s -> c.follow(s.id, 1));
        c.stabilize();
        assertThat(c.server(leaderOf(c)).leader.isEstablished()).isTrue();
        for (int i = 0; i < writes; i++) {
            c.propose(leaderOf(c));
        }
        c.stabilize();
        return c;
    }

    private static long leaderOf(SimCluster c) {
        return c.servers().stream().filter(s -> s.leader != null).findFirst().orElseThrow().id;
    }

    private static void assertAllServeCommitted(SimCluster c) {
        for (SimServer s : c.servers()) {
            assertThat(s.serving).as("server %d serving", s.id).isTrue();
            assertThat(CommitLedger.zxids(s.tree)).as("tree of %d", s.id).isEqualTo(CommitLedger.zxids(c.committed()));
        }
    }

    @Test
    void discoveryPicksOneMoreThanTheHighestAcceptedEpochOfAQuorum() {
        SimCluster c = cluster(THREE, Set.of(), 500);
        c.server(1).acceptedEpoch = 2;
        c.server(2).acceptedEpoch = 7;
        c.server(3).acceptedEpoch = 3;
        c.lead(1);
        c.follow(3, 1);
        c.deliverAll();
        assertThat(c.server(1).leader.epoch()).isEqualTo(4);
        c.follow(2, 1);
        c.stabilize();
        // 2 already accepted epoch 7: it refuses epoch 4 and goes back to LOOKING.
        assertThat(c.server(2).looking()).isTrue();
        assertThat(c.trace).contains("2 Looking[reason=leader proposes epoch 4 below accepted epoch 7]");
        assertThat(c.server(1).leader.isEstablished()).isTrue();
        assertThat(List.of(c.server(1).currentEpoch, c.server(3).acceptedEpoch, c.server(3).currentEpoch))
                .containsOnly(4L);
    }

    @Test
    void diffBringsALaggingFollowerUp() {
        SimCluster c = established(THREE, Set.of(), 500, 2);
        c.crash(3);
        for (int i = 0; i < 4; i++) {
            c.propose(1);
        }
        c.stabilize();
        c.restart(3);
        c.elect(null);
        c.stabilize();
        assertThat(c.trace).contains("1->3 DIFF 1.2", "1->3 PROPOSAL 1.6", "1->3 COMMIT 1.6");
        assertThat(c.committed()).hasSize(6);
        assertAllServeCommitted(c);
    }

    @Test
    void truncRemovesAnUncommittedTailOfAnOldEpoch() {
        SimCluster c = established(THREE, Set.of(), 500, 2);
        c.partition(Set.of(1L));
        c.propose(1);
        c.propose(1);
        c.fsyncAll();
        c.crash(1);
        for (int i = 0; i <= SYNC; i++) {
            c.tickAll();
        }
        c.elect(null);
        c.stabilize();
        long leader = leaderOf(c);
        assertThat(leader).isEqualTo(3);
        c.propose(leader);
        c.stabilize();
        assertThat(c.server(1).lastZxid()).isEqualTo(Zxid.of(1, 4));
        c.heal();
        c.restart(1);
        c.elect(null);
        c.stabilize();
        assertThat(c.trace).contains("3->1 TRUNC 1.2", "3->1 PROPOSAL 2.1");
        assertThat(CommitLedger.zxids(c.server(1).log)).containsExactly("1.1", "1.2", "2.1");
        assertAllServeCommitted(c);
    }

    @Test
    void snapForAFollowerBehindTheCommittedLogWindow() {
        SimCluster c = established(THREE, Set.of(), 3, 1);
        c.crash(3);
        for (int i = 0; i < 8; i++) {
            c.propose(1);
        }
        c.stabilize();
        c.restart(3);
        c.elect(null);
        c.stabilize();
        assertThat(c.trace).contains("1->3 SNAP 1.9").doesNotContain("1->3 DIFF 1.1");
        assertAllServeCommitted(c);
    }

    @Test
    void aMinorityPartitionNeverCommitsAndItsProposalIsTruncated() {
        Set<Long> five = Set.of(1L, 2L, 3L, 4L, 5L);
        SimCluster c = established(five, Set.of(), 500, 1);
        c.partition(Set.of(1L, 2L));
        c.propose(1);
        c.stabilize();
        assertThat(c.server(1).tree).hasSize(1);
        assertThat(c.server(2).log).hasSize(2);
        for (int i = 0; i <= SYNC; i++) {
            c.tickAll();
        }
        assertThat(c.server(1).leader).isNull();
        c.elect(null);
        c.stabilize();
        c.propose(leaderOf(c));
        c.stabilize();
        c.heal();
        c.elect(null);
        c.stabilize();
        assertThat(c.committed()).extracting(t -> Zxid.format(t.zxid())).containsExactly("1.1", "2.1");
        assertAllServeCommitted(c);
    }

    @Test
    void observersGetInformNeverAckAndDoNotCountTowardTheQuorum() {
        SimCluster c = established(THREE, Set.of(4L), 500, 2);
        assertThat(c.trace).contains("1->4 INFORM 1.2").doesNotContain("1->4 PROPOSAL 1.2", "4->1 ACK 1.2");
        assertAllServeCommitted(c);
        c.crash(2);
        c.crash(3);
        c.propose(1);
        c.stabilize();
        assertThat(c.server(1).tree).hasSize(2);
        for (int i = 0; i <= SYNC; i++) {
            c.tickAll();
        }
        assertThat(c.server(1).leader).isNull();
    }

    @Test
    void leaderStepsDownAfterSyncLimitTicksWithoutAQuorum() {
        SimCluster c = established(THREE, Set.of(), 500, 1);
        c.partition(Set.of(1L));
        for (int i = 0; i < SYNC; i++) {
            c.tick(1);
            c.deliverAll();
        }
        assertThat(c.server(1).leader).isNotNull();
        c.tick(1);
        assertThat(c.server(1).leader).isNull();
        assertThat(c.trace).contains("1 Looking[reason=lost the quorum of synced followers]");
    }

    @Test
    void followerGoesLookingWhenTheLeaderIsSilentForSyncLimitTicks() {
        SimCluster c = established(THREE, Set.of(), 500, 1);
        c.partition(Set.of(1L));
        for (int i = 0; i < SYNC; i++) {
            c.tick(2);
        }
        assertThat(c.server(2).learner).isNotNull();
        c.tick(2);
        assertThat(c.server(2).looking()).isTrue();
    }

    @Test
    void syncIsAnsweredAfterTheCommitsBeforeIt() {
        SimCluster c = established(THREE, Set.of(), 500, 1);
        c.propose(1);
        c.act(2, s -> s.learner.sync(0x55, 9, "/k"));
        c.stabilize();
        int commit = c.trace.indexOf("1->2 COMMIT 1.2");
        int reply = c.trace.indexOf("1->2 SYNC-REPLY /k");
        assertThat(commit).isNotNegative().isLessThan(reply);
        assertThat(c.trace).contains("2 SyncDone[sessionId=85, cxid=9, path=/k]");
    }

    @Test
    void aRejoiningFollowerDoesNotServeItsOwnUncommittedProposal() {
        SimCluster c = established(THREE, Set.of(), 500, 1);
        c.propose(1);
        c.deliverAll();
        c.fsync(3);
        c.crash(3);
        c.restart(3);
        c.elect(null);
        c.deliverAll();
        c.fsync(3);
        c.deliverAll();
        // 1.2 is logged on 3 but committed nowhere: 3 is truncated to the commit point and gets 1.2 as a proposal
        // again, so its tree (which replays its log on restart) does not show 1.2 while it serves.
        assertThat(c.trace).contains("1->3 TRUNC 1.1", "1->3 PROPOSAL 1.2", "3 Serving[leader=1, epoch=1]");
        assertThat(CommitLedger.zxids(c.server(3).tree)).containsExactly("1.1");
        c.stabilize();
        assertAllServeCommitted(c);
    }
}
