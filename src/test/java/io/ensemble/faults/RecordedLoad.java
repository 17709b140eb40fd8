package io.ensemble.faults;

import io.ensemble.checker.History;
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
 * Several {@link LoadWorker}s recording into one history, each on its own thread and session, and what they saw
 * ({@link LoadTally}). The test may hold the load ({@link #pause}) and let it go on ({@link #resume}).
 */
final class RecordedLoad {
    private final HistoryRecorder recorder;
    private final List<LoadWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final LoadTally tally;
    private final LoadGate gate = new LoadGate();

    private RecordedLoad(HistoryRecorder recorder, LoadPlan plan) {
        this.recorder = recorder;
        this.tally = new LoadTally(plan.mix());
    }

    /**
     * Creates the plan's root, queue and registers through a recording client of {@code connectString} (so that the
     * history starts from an empty tree), then starts {@code n} workers numbered from 0, each a client of any server
     * of {@code connectString}.
     */
    static RecordedLoad startOnFreshRoot(LoadPlan plan, String connectString, int n) throws Exception {
        HistoryRecorder recorder = new HistoryRecorder();
        createZnodes(recorder, connectString, plan);
        return start(recorder, plan, 0, n, LoadWorker.Connector.anyOf(connectString, plan.sessionTimeoutMs()));
    }

    private static void createZnodes(HistoryRecorder recorder, String connectString, LoadPlan plan)
            throws Exception {
        try (ZooKeeper zk = Clients.connect(connectString, plan.sessionTimeoutMs())) {
            RecordingZooKeeper setup = new RecordingZooKeeper(zk, recorder, 999_000);
            List<String> parentsThenChildren = new ArrayList<>(List.of(plan.root(), plan.queue()));
            parentsThenChildren.addAll(plan.registers());
            for (String path : parentsThenChildren) {
                Operation op = setup.create(path, "init " + path);
                if (!op.isOk()) {
                    throw new IllegalStateException("setup failed: " + op);
                }
            }
        }
    }

    /**
     * A second load recording into this one's history, with a tally of its own and stopped on its own: {@code n}
     * workers numbered from {@code firstIndex} (not taken by another load), each with a client from
     * {@code connector}, on a plan over this load's znodes.
     */
    RecordedLoad alongside(LoadPlan plan, int firstIndex, int n, LoadWorker.Connector connector) {
        return start(recorder, plan, firstIndex, n, connector);
    }

    private static RecordedLoad start(HistoryRecorder recorder, LoadPlan plan, int firstIndex, int n,
                                      LoadWorker.Connector connector) {
        RecordedLoad load = new RecordedLoad(recorder, plan);
        for (int i = firstIndex; i < firstIndex + n; i++) {
            LoadWorker w = new LoadWorker(i, plan, recorder, load.tally, connector, load.gate);
            load.workers.add(w);
            load.threads.add(Thread.ofPlatform().name("load-worker-" + i).daemon().start(w));
        }
        return load;
    }

    /** What this load and the loads alongside it recorded so far (requests without a reply are indeterminate). */
    History history() {
        return recorder.history();
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
     * Holds every worker before its next logical operation (those in flight complete, retries included): a test
     * that needs a server to miss only a bounded number of transactions holds the load while it is down.
     */
    void pause() {
        gate.hold();
    }

    void resume() {
        gate.release();
    }

    /**
     * A load phase of fixed length between faults (nightly runs stretch it with {@link FaultScale#SOAK}); the load
     * runs on its own threads meanwhile.
     */
    static void soak() throws InterruptedException {
        Thread.sleep(FaultScale.SOAK.toMillis()); // the duration of load is the point, not a wait for a condition
    }

    /**
     * Stops every worker after its current logical operation (a held load too) and closes its client; fails if one
     * hangs or any worker crashed.
     */
    void stop() throws InterruptedException {
        workers.forEach(LoadWorker::stop);
        gate.release();
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
