package io.ensemble.faults;

import io.ensemble.checker.HistoryRecorder;
import io.ensemble.checker.Operation;
import io.ensemble.checker.RecordingZooKeeper;
import io.ensemble.testing.Clients;
import org.apache.zookeeper.ZooKeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Several {@link LoadWorker}s recording into one {@link HistoryRecorder}, each on its own thread and session, and what
 * they saw ({@link LoadTally}).
 */
final class RecordedLoad {
    private final List<LoadWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final LoadTally tally = new LoadTally();

    private RecordedLoad() {
    }

    /**
     * Creates the plan's registers and queue through a recording client of {@code connectString}, so that the
     * history starts from an empty tree.
     */
    static void createZnodes(HistoryRecorder recorder, String connectString, String root, LoadPlan plan)
            throws Exception {
        try (ZooKeeper zk = Clients.connect(connectString, plan.sessionTimeoutMs())) {
            RecordingZooKeeper setup = new RecordingZooKeeper(zk, recorder, 999_000);
            for (String path : parentsThenChildren(root, plan)) {
                Operation op = setup.create(path, "init " + path);
                if (!op.isOk()) {
                    throw new IllegalStateException("setup failed: " + op);
                }
            }
        }
    }

    private static List<String> parentsThenChildren(String root, LoadPlan plan) {
        List<String> out = new ArrayList<>(List.of(root, plan.queue()));
        out.addAll(plan.registers());
        return out;
    }

    /** Starts {@code n} workers numbered from {@code firstIndex}, each with a client from {@code connector}. */
    static RecordedLoad start(HistoryRecorder recorder, LoadPlan plan, int firstIndex, int n,
                              LoadWorker.Connector connector) {
        RecordedLoad load = new RecordedLoad();
        for (int i = firstIndex; i < firstIndex + n; i++) {
            LoadWorker w = new LoadWorker(i, plan, recorder, load.tally, connector);
            load.workers.add(w);
            load.threads.add(Thread.ofPlatform().name("load-worker-" + i).daemon().start(w));
        }
        return load;
    }

    LoadTally tally() {
        return tally;
    }

    List<LoadWorker> workers() {
        return workers;
    }

    /** Waits until {@code n} updates sent after {@code sinceNanos} (System.nanoTime()) were acknowledged. */
    void awaitAcks(long sinceNanos, int n, Duration atMost) {
        await(n + " acknowledged updates sent after the mark (" + tally + ")").atMost(atMost)
                .pollInterval(Duration.ofMillis(20))
                .failFast("a load worker crashed", () -> !tally.crashes().isEmpty())
                .until(() -> tally.acksInvokedAfter(sinceNanos) >= n);
    }

    /**
     * A load phase of fixed length between faults (nightly runs stretch it with {@link FaultScale#SOAK}); the load
     * runs on its own threads meanwhile.
     */
    static void soak() throws InterruptedException {
        Thread.sleep(FaultScale.SOAK.toMillis());
    }

    /**
     * Stops every worker after its current logical operation and closes its client; fails if one hangs or any
     * worker crashed.
     */
    void stop() throws InterruptedException {
        workers.forEach(LoadWorker::stop);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(120));
            if (t.isAlive()) {
                throw new IllegalStateException(t.getName() + " did not stop within 120 s: " + tally);
            }
        }
        if (!tally.crashes().isEmpty()) {
            IllegalStateException e = new IllegalStateException("workers crashed: " + tally);
            tally.crashes().forEach(e::addSuppressed);
            throw e;
        }
    }
}
