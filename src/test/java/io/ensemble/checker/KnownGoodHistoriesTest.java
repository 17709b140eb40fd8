package io.ensemble.checker;

import org.apache.zookeeper.KeeperException.Code;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.ensemble.checker.HistoryBuilder.NEVER;
import static io.ensemble.checker.Result.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

/** Histories that ZooKeeper may produce: the checker must accept every one of them. */
class KnownGoodHistoriesTest {
    private static void assertAccepted(Report report) {
        assertThat(report.ok()).as(report::toString).isTrue();
    }

    private static Report linearizable(History history) {
        return Checker.standard().reads(ReadConsistency.LINEARIZABLE).verify(history);
    }

    /** Two overlapping writes, nothing but the reads to order them. */
    private static HistoryBuilder overlappingWrites() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(0, 0, 1).create("/r", "init").ok(UNKNOWN, UNKNOWN);
        h.op(1, 10, 100).write("/r", "a").ok(UNKNOWN, UNKNOWN);
        h.op(2, 20, 90).write("/r", "b").ok(UNKNOWN, UNKNOWN);
        return h;
    }

    @Test
    void overlappingWritesSeenInOneOrder() {
        HistoryBuilder h = overlappingWrites();
        h.op(3, 30, 40).read("/r").reads("a", UNKNOWN, UNKNOWN);
        h.op(4, 50, 60).read("/r").reads("b", UNKNOWN, UNKNOWN);
        assertAccepted(linearizable(h.build()));
    }

    @Test
    void overlappingWritesSeenInTheOtherOrder() {
        HistoryBuilder h = overlappingWrites();
        h.op(3, 30, 40).read("/r").reads("b", UNKNOWN, UNKNOWN);
        h.op(4, 50, 60).read("/r").reads("a", UNKNOWN, UNKNOWN);
        assertAccepted(linearizable(h.build()));
    }

    @Test
    void overlappingWritesCannotBeSeenInBothOrders() {
        HistoryBuilder h = overlappingWrites();
        h.op(3, 30, 40).read("/r").reads("a", UNKNOWN, UNKNOWN);
        h.op(4, 50, 60).read("/r").reads("b", UNKNOWN, UNKNOWN);
        h.op(5, 65, 70).read("/r").reads("a", UNKNOWN, UNKNOWN);
        History history = h.build();

        assertThat(linearizable(history).kinds()).containsExactly(Violation.Kind.NOT_LINEARIZABLE);
        // sequentially consistent, though: session 5 may read from a server that lags behind "b"
        assertAccepted(Checker.standard().verify(history));
    }

    @Test
    void readsOverlappingAWriteMaySeeEitherSide() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        h.op(1, 20, 100).write("/r", "b").ok(1, 0x11);
        h.op(2, 30, 40).read("/r").reads("b", 1, 0x11);
        h.op(3, 50, 60).read("/r").reads("a", 0, 0x10);
        h.op(2, 70, 80).read("/r").reads("b", 1, 0x11);
        TreeSnapshot end = TreeSnapshot.of(Map.of("/r", new TreeSnapshot.Node("b", 1, 0x10, 0x11)));
        // linearizable only in the order read b, read a: impossible; so the reads are from lagging servers
        assertAccepted(Checker.check(h.build(), end));
    }

    @Test
    void indeterminateWriteThatHappened() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        h.op(2, 20, 30).write("/r", "b").info();
        // it took effect after the client had given up on it
        h.op(3, 50, 60).read("/r").reads("b", 1, 0x11);
        TreeSnapshot end = TreeSnapshot.of(Map.of("/r", new TreeSnapshot.Node("b", 1, 0x10, 0x11)));
        assertAccepted(Checker.standard().reads(ReadConsistency.LINEARIZABLE).verify(h.build(), end));
    }

    @Test
    void indeterminateWriteThatNeverHappened() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        h.op(2, 20, NEVER).write("/r", "b").info();
        h.op(3, 50, 60).read("/r").reads("a", 0, 0x10);
        h.op(1, 70, 80).cas("/r", "c", 0).ok(1, 0x12);
        TreeSnapshot end = TreeSnapshot.of(Map.of("/r", new TreeSnapshot.Node("c", 1, 0x10, 0x12)));
        assertAccepted(Checker.standard().reads(ReadConsistency.LINEARIZABLE).verify(h.build(), end));
    }

    @Test
    void indeterminateOperationsSeenOnlyInTheFinalState() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        h.op(2, 20, 30).cas("/r", "b", 0).info();
        h.op(3, 25, 35).createSequential("/q/item-", "x").info();
        h.op(4, 26, 36).delete("/gone", -1).info();
        h.op(4, 1, 5).create("/gone", "g").ok(0, 0xf);
        TreeSnapshot end = TreeSnapshot.of(Map.of(
                "/r", new TreeSnapshot.Node("b", 1, 0x10, 0x11),
                "/q/item-0000000000", new TreeSnapshot.Node("x", 0, 0x12, 0x12)));
        assertAccepted(Checker.check(h.build(), end));
    }

    @Test
    void badVersionBecauseOfAConcurrentWrite() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        h.op(2, 20, 40).write("/r", "b").ok(1, 0x11);
        h.op(3, 25, 45).cas("/r", "c", 0).fail(Code.BADVERSION);
        h.op(3, 50, 60).cas("/r", "c", 1).ok(2, 0x12);
        TreeSnapshot end = TreeSnapshot.of(Map.of("/r", new TreeSnapshot.Node("c", 2, 0x10, 0x12)));
        assertAccepted(Checker.check(h.build(), end));
    }

    @Test
    void deleteAndRecreateStartsVersionsAgain() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).create("/r", "a").ok(0, 0x10);
        h.op(1, 20, 30).write("/r", "b").ok(1, 0x11);
        h.op(2, 40, 50).delete("/r", 1).ok();
        h.op(3, 60, 70).read("/r").fail(Code.NONODE);
        h.op(3, 75, 76).write("/r", "x").fail(Code.NONODE);
        h.op(2, 80, 90).create("/r", "c").ok(0, 0x13);
        h.op(1, 95, 99).create("/r", "d").fail(Code.NODEEXISTS);
        h.op(3, 100, 110).cas("/r", "e", 0).ok(1, 0x14);
        TreeSnapshot end = TreeSnapshot.of(Map.of("/r", new TreeSnapshot.Node("e", 1, 0x13, 0x14)));
        assertAccepted(Checker.check(h.build(), end));
    }

    @Test
    void concurrentSequentialCreatesInEitherOrder() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 50).createSequential("/q/item-", "a").named("/q/item-0000000002", 0x12);
        h.op(2, 10, 40).createSequential("/q/item-", "b").named("/q/item-0000000001", 0x11);
        h.op(3, 60, 70).createSequential("/q/item-", "c").named("/q/item-0000000003", 0x13);
        TreeSnapshot end = TreeSnapshot.of(Map.of(
                "/q/item-0000000001", new TreeSnapshot.Node("b", 0, 0x11, 0x11),
                "/q/item-0000000002", new TreeSnapshot.Node("a", 0, 0x12, 0x12),
                "/q/item-0000000003", new TreeSnapshot.Node("c", 0, 0x13, 0x13)));
        assertAccepted(Checker.check(h.build(), end));
    }

    @Test
    void pipelinedSessionRepliesInOrder() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 30).create("/r", "a").ok(0, 0x10);
        h.op(1, 5, 31).write("/r", "b").ok(1, 0x11);
        h.op(1, 6, 32).read("/r").reads("b", 1, 0x11);
        assertAccepted(Checker.check(h.build()));
    }

    @Test
    void znodesThatExistedBeforeRecordingStarted() {
        HistoryBuilder h = new HistoryBuilder();
        h.op(1, 0, 10).read("/r").reads("old", 3, 0x5);
        h.op(1, 20, 30).cas("/r", "new", 3).ok(4, 0x10);
        TreeSnapshot before = TreeSnapshot.of(Map.of("/r", new TreeSnapshot.Node("old", 3, 0x1, 0x5)));
        assertAccepted(Checker.standard().initialState(before).verify(h.build()));
    }
}
