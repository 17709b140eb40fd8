package io.ensemble.quorum.zab;

import io.ensemble.quorum.zab.ZabMessage.*;
import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.Txn;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The leader's side of Zab, driven by hand with scripted learners. */
class LeaderCoreTest {

    private static ZabSettings settings(Set<Long> voters, Set<Long> observers) {
        return new ZabSettings(1, voters, observers, 5, 3, 500);
    }

    private static List<ZabMessage> to(ZabReady r, long sid) {
        return r.messages().stream().filter(o -> o.to() == sid).map(Outbound::message).toList();
    }

    /** Leader 1 of voters 1..3, established with follower 2 (3 stays away). */
    private static LeaderCore establishedWith2(Set<Long> observers) {
        LeaderCore l = new LeaderCore(settings(Set.of(1L, 2L, 3L), observers),
                new PersistedState(1, 1, 0, List.of()));
        l.start();
        assertThat(to(l.step(2, new FollowerInfo(2, 1, 0)), 2)).containsExactly(new LeaderInfo(2));
        ZabReady sync = l.step(2, new AckEpoch(1, 0));
        assertThat(sync.currentEpoch()).hasValue(2);
        assertThat(to(sync, 2)).containsExactly(new Diff(0), new NewLeader(Zxid.of(2, 0)));
        ZabReady up = l.step(2, new Ack(Zxid.of(2, 0)));
        assertThat(up.events()).contains(new ZabEvent.Established(2));
        assertThat(to(up, 2)).containsExactly(new UpToDate());
        return l;
    }

    private static ZabReady propose(LeaderCore l) {
        return l.propose(9, 1, 0, 5, new Txn.Delete("/x"));
    }

    @Test
    void commitsOnlyWithAMajorityAndStrictlyInZxidOrder() {
        LeaderCore l = establishedWith2(Set.of());
        LoggedTxn a = propose(l).persist().getFirst();
        LoggedTxn b = propose(l).persist().getFirst();
        assertThat(a.zxid()).isEqualTo(Zxid.of(2, 1));
        assertThat(l.step(2, new Ack(b.zxid())).apply()).as("follower alone is no majority").isEmpty();
        ZabReady first = l.durable(a.zxid());
        assertThat(first.apply()).containsExactly(a);
        assertThat(to(first, 2)).containsExactly(new Commit(a.zxid()));
        assertThat(l.durable(b.zxid()).apply()).containsExactly(b);
        assertThat(l.lastCommitted()).isEqualTo(b.zxid());
    }

    @Test
    void observersNeitherEstablishNorCommitButReceiveInform() {
        LeaderCore l = new LeaderCore(settings(Set.of(1L, 2L, 3L), Set.of(4L)),
                new PersistedState(0, 0, 0, List.of()));
        l.start();
        assertThat(l.step(4, new ObserverInfo(4, 0, 0)).messages()).as("no quorum of voters yet").isEmpty();
        l.step(2, new FollowerInfo(2, 0, 0));
        assertThat(to(l.step(4, new AckEpoch(0, 0)), 4)).as("an observer's ACKEPOCH is no quorum").isEmpty();
        assertThat(to(l.step(2, new AckEpoch(0, 0)), 4)).containsExactly(new Diff(0), new NewLeader(Zxid.of(1, 0)));
        l.step(4, new Ack(Zxid.of(1, 0)));
        assertThat(l.isEstablished()).isFalse();
        assertThat(l.step(2, new Ack(Zxid.of(1, 0))).events()).contains(new ZabEvent.Established(1));
        ZabReady p = propose(l);
        assertThat(to(p, 4)).isEmpty();
        ZabReady c = l.durable(Zxid.of(1, 1));
        assertThat(c.apply()).isEmpty();
        ZabReady commit = l.step(2, new Ack(Zxid.of(1, 1)));
        assertThat(to(commit, 4)).containsExactly(new Inform(p.persist().getFirst()));
        assertThat(to(commit, 2)).containsExactly(new Commit(Zxid.of(1, 1)));
    }

    @Test
    void countsLearnersSyncedObserversAndPendingSyncsForTheReports() {
        LeaderCore l = establishedWith2(Set.of(4L));
        assertThat(l.learners()).isEqualTo(1);
        assertThat(l.syncedFollowers()).isEqualTo(1);
        assertThat(l.syncedObservers()).isEmpty();

        l.step(4, new ObserverInfo(4, 1, 0));
        assertThat(l.learners()).as("connected, not yet synced").isEqualTo(2);
        assertThat(l.syncedObservers()).isEmpty();
        l.step(4, new AckEpoch(1, 0));
        l.step(4, new Ack(Zxid.of(2, 0)));
        assertThat(l.syncedObservers()).containsExactly(4L);
        assertThat(l.syncedFollowers()).as("observers are not followers").isEqualTo(1);

        LoggedTxn p = propose(l).persist().getFirst();
        l.step(2, new Sync(9, 2, "/"));
        assertThat(l.pendingSyncs()).as("the SYNC waits for the proposal before it").isEqualTo(1);
        l.durable(p.zxid());
        l.step(2, new Ack(p.zxid()));
        assertThat(l.pendingSyncs()).isZero();

        l.disconnected(4);
        assertThat(l.learners()).isEqualTo(1);
        assertThat(l.syncedObservers()).isEmpty();
    }

    @Test
    void stepsDownWhenAFollowerIsAheadDuringDiscovery() {
        LeaderCore l = new LeaderCore(settings(Set.of(1L, 2L, 3L), Set.of()),
                new PersistedState(1, 1, 0, List.of()));
        l.start();
        l.step(2, new FollowerInfo(2, 1, Zxid.of(1, 5)));
        ZabReady r = l.step(2, new AckEpoch(1, Zxid.of(1, 5)));
        assertThat(r.endsRole()).isTrue();
        assertThat(l.step(2, new Ping(List.of()))).isEqualTo(ZabReady.NONE);
    }

    @Test
    void aSingleVoterIsEstablishedAtOnceAndCommitsOnItsOwnFsync() {
        LeaderCore l = new LeaderCore(settings(Set.of(1L), Set.of()), new PersistedState(0, 0, 0, List.of()));
        ZabReady start = l.start();
        assertThat(start.acceptedEpoch()).hasValue(1);
        assertThat(start.currentEpoch()).hasValue(1);
        assertThat(start.events()).containsExactly(new ZabEvent.Established(1));
        LoggedTxn t = propose(l).persist().getFirst();
        assertThat(l.durable(t.zxid()).apply()).containsExactly(t);
    }

    @Test
    void surfacesForwardedWritesRevalidationsAndSessionTouches() {
        LeaderCore l = establishedWith2(Set.of());
        Request req = new Request(5, 2, 1, new byte[] {1}, List.of());
        assertThat(l.step(2, req).events()).containsExactly(new ZabEvent.Forwarded(2, req));
        assertThat(l.step(2, new Revalidate(5, 3000)).events())
                .containsExactly(new ZabEvent.RevalidateRequested(2, 5, 3000));
        assertThat(to(l.revalidated(2, 5, true), 2)).containsExactly(new RevalidateReply(5, true));
        List<SessionTouch> touches = List.of(new SessionTouch(5, 3000));
        assertThat(l.step(2, new Ping(touches)).events()).containsExactly(new ZabEvent.SessionsTouched(2, touches));
    }

    @Test
    void dropsASilentFollowerAndThenStepsDown() {
        LeaderCore l = establishedWith2(Set.of());
        for (int i = 0; i < 3; i++) {
            assertThat(to(l.tick(), 2)).containsExactly(new Ping(List.of()));
        }
        ZabReady r = l.tick();
        assertThat(r.events()).containsExactly(
                new ZabEvent.DropLearner(2, "silent for more than syncLimit ticks"),
                new ZabEvent.Looking("lost the quorum of synced followers"));
    }
}
