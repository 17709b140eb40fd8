package io.ensemble.testing;

import io.ensemble.checker.History;
import io.ensemble.checker.HistoryRecorder;
import io.ensemble.checker.Operation;
import io.ensemble.checker.RecordingZooKeeper;
import io.ensemble.checker.Result;
import org.apache.zookeeper.ZooKeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;

/**
 * Client load whose every call is recorded for the {@link io.ensemble.checker.Checker}: {@code workers} threads, each
 * with its own session on any server of a connect string (the client library fails over), read, write (unique
 * values), compare-and-set, create and delete a small set of keys under {@code root}, and create sequential nodes.
 * A worker whose session expires starts a new one as a new process; a call without a reply stays open in the
 * history (indeterminate), as it must.
 *
 * <p>{@code root} must exist before the load starts; it is not recorded.
 */
public final class RecordingClients {
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(20);
    /** A short pause between one worker's calls: a busy 2-core machine runs three servers too. */
    private static final long PACE_MILLIS = 3;

    private final HistoryRecorder recorder = new HistoryRecorder();
    private final String connectString;
    private final String root;
    private final int keys;
    private final int sessionTimeoutMs;
    private final AtomicInteger processes = new AtomicInteger();
    private final AtomicLong acknowledgedUpdates = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicInteger sessionsStarted = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private final List<ZooKeeper> open = new ArrayList<>();
    private volatile boolean stopping;
    private final Object gate = new Object();
    private boolean paused;

    private RecordingClients(String connectString, String root, int keys, int sessionTimeoutMs) {
        this.connectString = connectString;
        this.root = root;
        this.keys = keys;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    /** Starts {@code workers} recording clients on {@code keys} keys under {@code root}. */
    public static RecordingClients start(String connectString, String root, int workers, int keys, int sessionTimeoutMs) {
        RecordingClients load = new RecordingClients(connectString, root, keys, sessionTimeoutMs);
        for (int i = 0; i < workers; i++) {
            load.threads.add(Thread.ofPlatform().name("recorded-load-" + i).daemon().start(load::work));
        }
        return load;
    }

    /** Acknowledged creates, writes, CAS and deletes so far. */
    public long acknowledgedUpdates() {
        return acknowledgedUpdates.get();
    }

    /** Sessions the workers opened (more than the worker count means some expired or could not be resumed). */
    public int sessionsStarted() {
        return sessionsStarted.get();
    }

    /** Waits until {@code more} further updates are acknowledged: the ensemble keeps taking writes. */
    public void awaitAcknowledgedUpdates(long more, Duration atMost) {
        long target = acknowledgedUpdates.get() + more;
        await("another " + more + " acknowledged updates from the recorded clients").atMost(atMost)
                .pollInterval(Duration.ofMillis(20)).until(() -> acknowledgedUpdates.get() >= target);
    }

    /**
     * Holds every worker before its next call (calls in flight complete): a test that needs a server to miss only
     * a bounded number of transactions pauses the load while it is down.
     */
    public void pause() {
        synchronized (gate) {
            paused = true;
        }
    }

    public void resume() {
        synchronized (gate) {
            paused = false;
            gate.notifyAll();
        }
    }

    /** Stops the workers, closes their sessions and returns what they recorded. */
    public History stop() throws InterruptedException {
        stopping = true;
        resume();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(REPLY_TIMEOUT.toSeconds() + 10));
        }
        synchronized (open) {
            for (ZooKeeper zk : open) {
                zk.close(1000);
            }
        }
        return recorder.history();
    }

    private void work() {
        Map<String, Integer> versions = new HashMap<>();
        RecordingZooKeeper client = null;
        long seq = 0;
        while (!stopping) {
            try {
                awaitNotPaused();
                if (client == null || !client.zooKeeper().getState().isAlive()) {
                    client = newSession();
                    if (client == null) {
                        continue;
                    }
                }
                seq++;
                Operation op = call(client, versions, seq);
                completed.incrementAndGet();
                if (op.isAcknowledgedUpdate()) {
                    acknowledgedUpdates.incrementAndGet();
                }
                if (op.result() instanceof Result.Info info && "SESSIONEXPIRED".equals(info.reason())) {
                    client.zooKeeper().close(100); // a new session, as a new process
                    client = null;
                }
                Thread.sleep(PACE_MILLIS);
            } catch (IllegalStateException noReply) {
                // stays open in the history; carry on with the next call
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void awaitNotPaused() throws InterruptedException {
        synchronized (gate) {
            while (paused && !stopping) {
                gate.wait();
            }
        }
    }

    /** One call on a random key: reads and writes mostly, some CAS, creates and deletes. */
    private Operation call(RecordingZooKeeper client, Map<String, Integer> versions, long seq) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String key = root + "/k" + random.nextInt(keys);
        String value = "p" + Thread.currentThread().getName().substring("recorded-load-".length()) + "-"
                + client.zooKeeper().getSessionId() + "-" + seq;
        int dice = random.nextInt(100);
        if (dice < 35) {
            Operation op = client.getData(key);
            if (op.result() instanceof Result.Ok ok) {
                versions.put(key, (int) ok.version());
            }
            return op;
        } else if (dice < 70) {
            return client.setData(key, value, -1);
        } else if (dice < 80) {
            return client.setData(key, value, versions.getOrDefault(key, 0));
        } else if (dice < 90) {
            return client.create(key, value);
        } else if (dice < 95) {
            return client.createSequential(root + "/seq-", value);
        }
        return client.delete(key, -1);
    }

    private RecordingZooKeeper newSession() throws InterruptedException {
        try {
            ZooKeeper zk = Clients.connect(connectString, sessionTimeoutMs);
            synchronized (open) {
                open.add(zk);
            }
            sessionsStarted.incrementAndGet();
            return new RecordingZooKeeper(zk, recorder, processes.incrementAndGet(), REPLY_TIMEOUT);
        } catch (java.io.IOException | IllegalStateException noSessionYet) {
            Thread.sleep(100); // nobody serving right now: the fault is still on; try again
            return null;
        }
    }
}
