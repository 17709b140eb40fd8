package io.ensemble.checker;

import org.junit.jupiter.api.Test;

import static io.ensemble.checker.Result.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The search is bounded: when it runs out of budget it says so, and that is not a pass. Checking linearizability is
 * NP-complete in general; what ZooKeeper replies carry (versions, zxids) is what keeps real histories easy.
 */
class SearchLimitsTest {
    /**
     * Writes that all overlap each other, read one by one while they are in flight, in the reverse of their
     * invocation order: linearizable, but the only order is the last one the search tries.
     */
    private static History overlappingWritesReadBackwards(int writes, boolean withZxids) {
        HistoryBuilder h = new HistoryBuilder();
        h.op(0, 0, 1).create("/r", "init").ok(0, withZxids ? 0x100 : UNKNOWN);
        for (int i = 0; i < writes; i++) {
            long zxid = withZxids ? 0x100 + writes - i : UNKNOWN;
            long version = withZxids ? writes - i : UNKNOWN;
            h.op(i + 1, 10 + i, 1_000_000 - i).write("/r", "w" + i).ok(version, zxid);
        }
        for (int k = 0; k < writes; k++) {
            int i = writes - 1 - k;
            long t = 10_000 + 10L * k;
            h.op(10_000, t, t + 5).read("/r").reads("w" + i,
                    withZxids ? writes - i : UNKNOWN, withZxids ? 0x100 + writes - i : UNKNOWN);
        }
        return h.build();
    }

    @Test
    void givingUpIsReportedAsInconclusive() {
        Report report = Checker.standard().reads(ReadConsistency.LINEARIZABLE).searchSteps(50_000)
                .verify(overlappingWritesReadBackwards(40, false));

        assertThat(report.ok()).isFalse();
        assertThat(report.violations()).isEmpty();
        assertThat(report.inconclusive()).singleElement().asString().contains("/r: gave up after 50,000 search steps");
        assertThat(report.toString()).contains("INCONCLUSIVE /r");
    }

    @Test
    void zxidsMakeTheSameShapeEasy() {
        Report report = Checker.standard().reads(ReadConsistency.LINEARIZABLE)
                .verify(overlappingWritesReadBackwards(1_000, true));

        assertThat(report.ok()).as(report::toString).isTrue();
        assertThat(report.searchSteps()).isLessThan(10_000);
    }
}
