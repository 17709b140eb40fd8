package io.ensemble.quorum.zab;

import io.ensemble.quorum.zab.ZabMessage.*;
import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.Txn;
import io.ensemble.txn.TxnHeader;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The learner's side of Zab, driven by hand: what it sends, persists and applies for each input. */
class LearnerCoreTest {

    private static final long LEADER = 1;

    static LoggedTxn txn(long epoch, long counter) {
        return new LoggedTxn(new TxnHeader(7, 1, Zxid.of(epoch, counter), 0, 5), new Txn.Delete("/x" + counter));
    }

    private static LearnerCore learner(long me, long accepted, long current, List<LoggedTxn> log) {
        ZabSettings s = new ZabSettings(me, Set.of(1L, 2L, 3L), Set.of(4L), 5, 3, 500);
        return new LearnerCore(s, LEADER, new PersistedState(accepted, current, 0, log),
                () -> List.of(new SessionTouch(42, 3000)));
    }

    private static List<ZabMessage> sent(ZabReady r) {
        return r.messages().stream().map(Outbound::message).toList();
    }

    /** Runs discovery and a DIFF sync up to NEWLEADER. */
    private static LearnerCore synced(long me, LoggedTxn... diff) {
        LearnerCore l = learner(me, 1, 1, List.of());
        l.start();
        l.step(LEADER, new LeaderInfo(2));
        l.step(LEADER, new Diff(0));
        for (LoggedTxn t : diff) {
            l.step(LEADER, new Proposal(t));
            l.step(LEADER, new Commit(t.zxid()));
        }
        l.step(LEADER, new NewLeader(Zxid.of(2, 0)));
        return l;
    }

    /** Synced, the sync durable and UPTODATE received: the learner serves. */
    private static LearnerCore serving(long me) {
        LearnerCore l = synced(me);
        l.durable(0);
        l.step(LEADER, new UpToDate());
        return l;
    }

    @Test
    void discoveryPersistsTheAcceptedEpochBeforeAckingIt() {
        LearnerCore l = learner(2, 1, 1, List.of(txn(1, 1)));
        assertThat(sent(l.start())).containsExactly(new FollowerInfo(2, 1, Zxid.of(1, 1)));
        ZabReady r = l.step(LEADER, new LeaderInfo(3));
        assertThat(r.acceptedEpoch()).hasValue(3);
        assertThat(sent(r)).containsExactly(new AckEpoch(1, Zxid.of(1, 1)));
    }

    @Test
    void givesUpOnAnEpochBelowTheAcceptedOne() {
        LearnerCore l = learner(2, 5, 4, List.of());
        l.start();
        assertThat(l.step(LEADER, new LeaderInfo(4)).endsRole()).isTrue();
        assertThat(l.isDone()).isTrue();
    }

    @Test
    void acksNewLeaderAndRecordsTheEpochOnlyOnceTheSyncIsDurable() {
        LearnerCore l = learner(2, 1, 1, List.of());
        l.start();
        l.step(LEADER, new LeaderInfo(2));
        l.step(LEADER, new Diff(0));
        assertThat(l.step(LEADER, new Proposal(txn(1, 1))).persist()).containsExactly(txn(1, 1));
        assertThat(l.step(LEADER, new Commit(Zxid.of(1, 1))).apply()).containsExactly(txn(1, 1));
        ZabReady newLeader = l.step(LEADER, new NewLeader(Zxid.of(2, 0)));
        assertThat(newLeader.messages()).isEmpty();
        assertThat(newLeader.currentEpoch()).isEmpty();
        ZabReady durable = l.durable(Zxid.of(1, 1));
        assertThat(durable.currentEpoch()).hasValue(2);
        assertThat(sent(durable)).containsExactly(new Ack(Zxid.of(2, 0)));
        assertThat(l.step(LEADER, new UpToDate()).events()).containsExactly(new ZabEvent.Serving(LEADER, 2));
    }

    @Test
    void acksAProposalOnlyWhenItIsDurableAndAppliesCommitsInOrder() {
        LearnerCore l = serving(2);
        assertThat(l.step(LEADER, new Proposal(txn(2, 1))).messages()).isEmpty();
        l.step(LEADER, new Proposal(txn(2, 2)));
        assertThat(sent(l.durable(Zxid.of(2, 2)))).containsExactly(new Ack(Zxid.of(2, 2)));
        assertThat(l.step(LEADER, new Commit(Zxid.of(2, 1))).apply()).containsExactly(txn(2, 1));
        assertThat(l.step(LEADER, new Commit(Zxid.of(2, 2))).apply()).containsExactly(txn(2, 2));
    }

    @Test
    void aServingFollowerDoesNotRepeatTheAcksItsLogThreadSent() {
        LearnerCore l = serving(2);
        l.step(LEADER, new Proposal(txn(2, 1)));
        l.step(LEADER, new Proposal(txn(2, 2)));
        l.step(LEADER, new Proposal(txn(2, 3)));
        assertThat(sent(l.durable(Zxid.of(2, 2), Zxid.of(2, 2)))).isEmpty();
        assertThat(sent(l.durable(Zxid.of(2, 3), Zxid.of(2, 2)))).containsExactly(new Ack(Zxid.of(2, 3)));
    }

    @Test
    void acksTheDriverSentBeforeServingDoNotCountForTheSync() {
        LearnerCore l = synced(2, txn(1, 1));
        assertThat(sent(l.durable(Zxid.of(1, 1), Zxid.of(1, 1)))).containsExactly(new Ack(Zxid.of(2, 0)));
    }

    @Test
    void aCommitForAZxidThatWasNotProposedNextIsAProtocolError() {
        LearnerCore l = serving(2);
        l.step(LEADER, new Proposal(txn(2, 1)));
        ZabReady r = l.step(LEADER, new Commit(Zxid.of(2, 2)));
        assertThat(r.endsRole()).isTrue();
        assertThat(r.events().getFirst().toString()).contains("commit of 2.2 but next proposal is 2.1");
    }

    @Test
    void anObserverAppliesInformAndNeverAcksProposals() {
        LearnerCore o = synced(4, txn(1, 1));
        assertThat(sent(o.durable(Zxid.of(1, 1)))).containsExactly(new Ack(Zxid.of(2, 0)));
        o.step(LEADER, new UpToDate());
        ZabReady r = o.step(LEADER, new Inform(txn(2, 1)));
        assertThat(r.persist()).containsExactly(txn(2, 1));
        assertThat(r.apply()).containsExactly(txn(2, 1));
        assertThat(o.durable(Zxid.of(2, 1)).messages()).isEmpty();
    }

    @Test
    void answersPingWithSessionTouchesAndIgnoresOtherServers() {
        LearnerCore l = synced(2);
        assertThat(sent(l.step(LEADER, new Ping(List.of()))))
                .containsExactly(new Ping(List.of(new SessionTouch(42, 3000))));
        assertThat(l.step(3, new Ping(List.of()))).isEqualTo(ZabReady.NONE);
    }

    @Test
    void abandonsALeaderSilentForInitLimitWhileSyncingAndSyncLimitWhileServing() {
        LearnerCore syncing = synced(2);
        for (int i = 0; i < 5; i++) {
            assertThat(syncing.tick().endsRole()).isFalse();
        }
        assertThat(syncing.tick().endsRole()).isTrue();
        LearnerCore serving = serving(2);
        for (int i = 0; i < 3; i++) {
            assertThat(serving.tick().endsRole()).isFalse();
        }
        assertThat(serving.tick().endsRole()).isTrue();
    }
}
