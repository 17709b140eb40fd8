package io.ensemble.checker;

import org.apache.zookeeper.KeeperException.Code;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.ensemble.checker.Result.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

/** Histories that break one guarantee each: the checker must say which, and show the operations that break it. */
class KnownBadHistoriesTest {
    private static TreeSnapshot.Node node(String value, long version, long mzxid) {
        return new TreeSnapshot.Node(value, version, 0x10, mzxid);
    }

    private static TreeSnapshot finalState(String path, TreeSnapshot.Node node) {
        return TreeSnapshot.of(Map.of(path, node));
    }

    @Test
    void sessionReadsOlderDataThanItsOwnWrite() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        h.op(1, 20, 30).write("/r", "b").ok(1, 0x11);
        Operation stale = h.op(1, 40, 50).read("/r").reads("a", 0, 0x10);

        Report report = Checker.check(h.build(), finalState("/r", node("b", 1, 0x11)));

        assertThat(report.kinds()).as(report::toString)
                .contains(Violation.Kind.SESSION_WENT_BACKWARDS, Violation.Kind.NOT_LINEARIZABLE);
        assertThat(report.violations(Violation.Kind.NOT_LINEARIZABLE).get(0).witness()).contains(stale);
    }

    @Test
    void readAfterACompletedWriteOfAnotherSessionIsStaleOnlyForLinearizableReads() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        h.op(1, 20, 30).write("/r", "b").ok(1, 0x11);
        Operation stale = h.op(2, 40, 50).read("/r").reads("a", 0, 0x10);
        History history = h.build();
        TreeSnapshot end = finalState("/r", node("b", 1, 0x11));

        Report linearizable = Checker.standard().reads(ReadConsistency.LINEARIZABLE).verify(history, end);
        assertThat(linearizable.kinds()).as(linearizable::toString).containsExactly(Violation.Kind.NOT_LINEARIZABLE);
        assertThat(linearizable.violations().get(0).witness()).extracting(Operation::id)
                .containsExactlyInAnyOrder(1, stale.id());

        // ZooKeeper itself allows it: session 2 may be talking to a follower that has not applied zxid 0x11 yet
        Report zooKeeper = Checker.check(history, end);
        assertThat(zooKeeper.ok()).as(zooKeeper::toString).isTrue();
    }

    @Test
    void sessionReadsOlderDataThanAZxidItSawOnAnotherZnode() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        h.op(1, 20, 30).write("/r", "b").ok(1, 0x11);
        h.op(1, 32, 34).create("/other", "x").ok(0, 0x12);
        h.op(2, 40, 50).read("/other").reads("x", 0, 0x12);
        Operation stale = h.op(2, 60, 70).read("/r").reads("a", 0, 0x10);

        Report report = Checker.check(h.build());

        assertThat(report.kinds()).as(report::toString).contains(Violation.Kind.SESSION_WENT_BACKWARDS);
        assertThat(report.violations(Violation.Kind.SESSION_WENT_BACKWARDS).get(0).witness()).contains(stale);
    }

    @Test
    void readGoingBackwardsInOneSession() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        h.op(1, 20, 30).write("/r", "b").ok(1, 0x11);
        h.op(2, 40, 50).read("/r").reads("b", 1, 0x11);
        Operation backwards = h.op(2, 60, 70).read("/r").reads("a", 0, 0x10);

        Report report = Checker.check(h.build(), finalState("/r", node("b", 1, 0x11)));

        assertThat(report.kinds()).as(report::toString).contains(Violation.Kind.SESSION_WENT_BACKWARDS);
        assertThat(report.violations(Violation.Kind.SESSION_WENT_BACKWARDS).get(0).witness()).contains(backwards);
    }

    @Test
    void writeAcknowledgedWithAZxidBelowOneTheSessionHadSeen() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/a", "a").ok(0, 0x20);
        h.op(1, 20, 30).create("/b", "b").ok(0, 0x1f);

        Report report = Checker.check(h.build());

        assertThat(report.kinds()).as(report::toString).contains(Violation.Kind.SESSION_WENT_BACKWARDS);
    }

    @Test
    void lostAcknowledgedWrite() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        Operation lost = h.op(1, 20, 30).write("/r", "b").ok(1, 0x11);

        Report report = Checker.check(h.build(), finalState("/r", node("a", 0, 0x10)));

        assertThat(report.kinds()).as(report::toString)
                .contains(Violation.Kind.LOST_WRITE, Violation.Kind.NOT_LINEARIZABLE);
        assertThat(report.violations(Violation.Kind.LOST_WRITE).get(0).witness()).containsExactly(lost);
    }

    @Test
    void lostAcknowledgedCreate() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/kept", "a").ok(0, 0x10);
        h.op(2, 5, 15).create("/lost", "b").ok(0, 0x11);
        h.op(3, 20, 30).delete("/kept", -1).info();

        Report report = Checker.check(h.build(), TreeSnapshot.empty());

        // /kept may have been deleted by the indeterminate delete; /lost had no delete at all
        assertThat(report.violations(Violation.Kind.LOST_WRITE)).as(report::toString)
                .extracting(Violation::subject).containsExactly("/lost");
    }

    @Test
    void casSucceededTwiceOnTheSameVersion() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        Operation first = h.op(1, 20, 30).cas("/r", "b", 0).ok(1, 0x11);
        Operation second = h.op(2, 22, 32).cas("/r", "c", 0).ok(1, 0x12);

        Report report = Checker.check(h.build(), finalState("/r", node("c", 1, 0x12)));

        assertThat(report.kinds()).as(report::toString).contains(Violation.Kind.NOT_LINEARIZABLE);
        assertThat(report.violations(Violation.Kind.NOT_LINEARIZABLE).get(0).witness()).contains(first, second);
    }

    @Test
    void casSucceededTwiceEvenWithoutZxidsOrVersions() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(UNKNOWN, UNKNOWN);
        h.op(1, 20, 30).cas("/r", "b", 0).ok(UNKNOWN, UNKNOWN);
        h.op(2, 22, 32).cas("/r", "c", 0).ok(UNKNOWN, UNKNOWN);

        Report report = Checker.check(h.build());

        assertThat(report.kinds()).as(report::toString).containsExactly(Violation.Kind.NOT_LINEARIZABLE);
    }

    @Test
    void badVersionWhenTheVersionMatched() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        h.op(2, 20, 30).cas("/r", "b", 0).fail(Code.BADVERSION);

        Report report = Checker.check(h.build(), finalState("/r", node("a", 0, 0x10)));

        assertThat(report.kinds()).as(report::toString).containsExactly(Violation.Kind.NOT_LINEARIZABLE);
    }

    @Test
    void readOfAValueNobodyWrote() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        h.op(2, 5, 30).write("/r", "b").info();
        h.op(3, 40, 50).read("/r").reads("c", 1, UNKNOWN);

        Report report = Checker.check(h.build());

        assertThat(report.kinds()).as(report::toString).containsExactly(Violation.Kind.NOT_LINEARIZABLE);
    }

    @Test
    void duplicateSequentialNames() {
        HistoryBuilder h = new HistoryBuilder();
        Operation a = h.op(1, 0, 10).createSequential("/q/item-", "a").named("/q/item-0000000001", 0x10);
        Operation b = h.op(2, 5, 15).createSequential("/q/item-", "b").named("/q/item-0000000001", 0x11);

        Report report = Checker.check(h.build());

        assertThat(report.kinds()).as(report::toString).contains(Violation.Kind.SEQUENTIAL_NAME_REUSED);
        assertThat(report.violations(Violation.Kind.SEQUENTIAL_NAME_REUSED).get(0).witness()).containsExactly(a, b);
    }

    @Test
    void sequentialNumberGoingBackwards() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).createSequential("/q/item-", "a").named("/q/item-0000000005", 0x10);
        h.op(2, 20, 30).createSequential("/q/item-", "b").named("/q/item-0000000004", 0x11);

        Report report = Checker.check(h.build());

        assertThat(report.kinds()).as(report::toString).containsExactly(Violation.Kind.SEQUENTIAL_NAME_REUSED);
    }

    @Test
    void replyOvertakingAnEarlierOneOfTheSameSession() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        Operation slow = h.op(2, 20, 50).write("/r", "b").ok(1, 0x11);
        Operation fast = h.op(2, 21, 30).read("/r").reads("a", 0, 0x10);

        Report report = Checker.check(h.build());

        assertThat(report.kinds()).as(report::toString).contains(Violation.Kind.FIFO_ORDER);
        assertThat(report.violations(Violation.Kind.FIFO_ORDER).get(0).witness()).containsExactly(slow, fast);
    }

    @Test
    void divergentReplicas() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        Map<String, TreeSnapshot> replicas = new LinkedHashMap<>();
        replicas.put("server1", finalState("/r", node("a", 0, 0x10)));
        replicas.put("server2", finalState("/r", node("a", 0, 0x10)));
        replicas.put("server3", TreeSnapshot.of(Map.of("/r", node("a", 0, 0x10), "/extra", node("x", 0, 0x11))));

        Report report = Checker.check(h.build(), replicas);

        assertThat(report.kinds()).as(report::toString).containsExactly(Violation.Kind.REPLICAS_DIVERGED);
        Violation diverged = report.violations().get(0);
        assertThat(diverged.subject()).isEqualTo("server1 vs server3");
        assertThat(diverged.message()).contains("/extra: absent vs \"x\" v0");
    }

    @Test
    void reportPrintsTheWitnessWithSessionsTimesAndZxids() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 1_000_000).create("/r", "a").ok(0, 0x10);
        h.op(1, 2_000_000, 3_000_000).write("/r", "b").ok(1, 0x11);
        h.op(1, 4_000_000, 5_000_000).read("/r").reads("a", 0, 0x10);

        String printed = Checker.check(h.build()).toString();

        assertThat(printed).startsWith("FAILED")
                .contains("NOT_LINEARIZABLE on /r")
                .contains("s=1 ")
                .contains("[   4.000ms ..    5.000ms]")
                .contains("read /r")
                .contains("-> ok \"a\" v0 zxid=0x10");
    }
}
