package io.ensemble.checker;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryRecorderTest {
    @Test
    void recordsFromManyThreadsWithUniqueIdsAndStrictlyIncreasingTimes() throws InterruptedException {
        HistoryRecorder recorder = new HistoryRecorder();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int process = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 1_000; i++) {
                    HistoryRecorder.Pending p = recorder.invoke(process, process, OpKind.READ, "/r", null, -1);
                    recorder.complete(p, new Result.Ok("/r", "v", 0, 1));
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }

        History history = recorder.history();
        assertThat(history.size()).isEqualTo(8_000);
        Set<Long> times = new HashSet<>();
        Set<Integer> ids = new HashSet<>();
        for (Operation op : history.operations()) {
            assertThat(op.completeNanos()).isGreaterThan(op.invokeNanos());
            times.add(op.invokeNanos());
            times.add(op.completeNanos());
            ids.add(op.id());
        }
        assertThat(times).hasSize(16_000);
        assertThat(ids).hasSize(8_000);
    }

    @Test
    void operationsWithoutAReplyAreIndeterminateAndNeverComplete() {
        HistoryRecorder recorder = new HistoryRecorder();
        recorder.invoke(1, 7, OpKind.WRITE, "/r", "v", -1);

        Operation open = recorder.history().operations().get(0);

        assertThat(open.result()).isInstanceOf(Result.Info.class);
        assertThat(open.completeNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aSecondCompletionIsIgnored() {
        HistoryRecorder recorder = new HistoryRecorder();
        HistoryRecorder.Pending p = recorder.invoke(1, 7, OpKind.WRITE, "/r", "v", -1);
        Operation first = recorder.complete(p, new Result.Ok("/r", "v", 1, 0x10));

        Operation second = recorder.complete(p, new Result.Info("CONNECTIONLOSS"));

        assertThat(second).isEqualTo(first);
        assertThat(recorder.history().operations()).containsExactly(first);
    }
}
