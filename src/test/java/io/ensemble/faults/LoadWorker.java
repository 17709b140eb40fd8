package io.ensemble.faults;

import io.ensemble.checker.HistoryRecorder;
import io.ensemble.checker.OpKind;
import io.ensemble.checker.Operation;
import io.ensemble.checker.RecordingZooKeeper;
import io.ensemble.checker.Result;
import org.apache.zookeeper.ZooKeeper;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import static org.awaitility.Awaitility.await;

/**
 * One recording client thread with a session of its own: a paced loop of logical operations on the plan's registers
 * (a read, an unconditional write, a compare-and-set = read then setData with the version read, and with a churning
 * {@link LoadPlan.Mix} a create and a delete) and sequential creates under its queue, every written value unique, in
 * the proportions of the plan's mix. A request that ends in a retryable loss is asked again, once the client is
 * connected again, as a new recorded operation (the lost one stays indeterminate in the history); an expired session
 * is replaced by a new one. Recording starts only once a session is there.
 */
final class LoadWorker implements Runnable {
    /** How long one reply may take before the worker stops waiting (the operation stays open). */
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);

    /** Opens a client of the ensemble for worker {@code index}; the worker waits for its session. */
    interface Connector {
        ZooKeeper open(int index) throws IOException;

        /** Clients of any server of {@code connectString} (the client library fails over among them). */
        static Connector anyOf(String connectString, int sessionTimeoutMs) {
            return i -> new ZooKeeper(connectString, sessionTimeoutMs, e -> { });
        }
    }

    private final int index;
    private final LoadPlan plan;
    private final HistoryRecorder recorder;
    private final LoadTally tally;
    private final Connector connector;
    private final LoadGate gate;
    private final Random random;
    private volatile boolean stopped;
    private RecordingZooKeeper client;
    private int generation;
    private long written;

    LoadWorker(int index, LoadPlan plan, HistoryRecorder recorder, LoadTally tally, Connector connector,
               LoadGate gate) {
        this.index = index;
        this.plan = plan;
        this.recorder = recorder;
        this.tally = tally;
        this.connector = connector;
        this.gate = gate;
        this.random = new Random(index);
    }

    void stop() {
        stopped = true;
    }

    int index() {
        return index;
    }

    /** Whether {@code op} was recorded by this worker (processes are numbered index * 1000 + session number). */
    boolean recorded(Operation op) {
        return op.process() / 1000 == index;
    }

    /** The current client (null before the first connection). */
    synchronized ZooKeeper zooKeeper() {
        return client == null ? null : client.zooKeeper();
    }

    @Override
    public void run() {
        long period = 1_000_000_000L / plan.opsPerSecond();
        long next = System.nanoTime();
        try {
            openSession();
            while (true) {
                gate.awaitOpen(); // a held load waits here; stopping releases the gate
                if (stopped) {
                    return;
                }
                long now = System.nanoTime();
                if (next > now) {
                    LockSupport.parkNanos(next - now); // the load's pace, not a wait for a condition
                }
                next = Math.max(next + period, System.nanoTime());
                logicalOperation();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            tally.crashed(new IllegalStateException("worker " + index + " stopped", t));
        } finally {
            closeSession();
        }
    }

    /** One operation, asked again after each retryable loss until it gets an answer (or is given up). */
    private void logicalOperation() throws IOException, InterruptedException {
        OpKind kind = plan.mix().pick(random.nextInt(100));
        String register = plan.registers().get(random.nextInt(plan.registers().size()));
        for (int attempt = 0; ; attempt++) {
            Operation last = attempt(kind, register); // null: no reply in time
            boolean lost = last == null || LoadTally.retryable(last) || LoadTally.expired(last);
            if (lost && attempt == 0) {
                tally.hitByLoss.increment();
            }
            if (!lost) {
                if (attempt > 0 && tally.answered(last)) {
                    tally.retriedThenAnswered.increment();
                }
                return;
            }
            if (!plan.retryAfterLoss()) {
                if (last != null && LoadTally.expired(last)) {
                    replaceSession();
                }
                return;
            }
            if (!awaitConnected()) {
                tally.abandoned.increment();
                return;
            }
            tally.retries.increment();
        }
    }

    /** Runs the chosen kind of operation once; returns the last operation recorded, null if no reply came. */
    private Operation attempt(OpKind kind, String register) throws InterruptedException {
        RecordingZooKeeper zk = current();
        return switch (kind) {
            case READ -> finish(zk.getDataAsync(register));
            case WRITE -> finish(zk.setDataAsync(register, nextValue(), -1));
            case CAS -> {
                Operation read = finish(zk.getDataAsync(register));
                if (read == null || !read.isOk()) {
                    yield read;
                }
                int version = (int) ((Result.Ok) read.result()).version();
                yield finish(zk.setDataAsync(register, nextValue(), version));
            }
            case CREATE_SEQUENTIAL -> finish(zk.createSequentialAsync(plan.queue() + "/n-", nextValue()));
            case CREATE -> finish(zk.createAsync(register, nextValue()));
            case DELETE -> finish(zk.deleteAsync(register, -1));
        };
    }

    private Operation finish(CompletableFuture<Operation> reply) throws InterruptedException {
        try {
            Operation op = reply.get(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            tally.record(op);
            return op;
        } catch (TimeoutException e) {
            tally.recordReplyTimeout();
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private String nextValue() {
        return "w" + index + "-" + written++;
    }

    /** Waits until the client is connected again; replaces it first if its session expired. */
    private boolean awaitConnected() throws IOException, InterruptedException {
        try {
            await("worker " + index + " connected again").atMost(plan.reconnectWait())
                    .pollInterval(Duration.ofMillis(20)).until(() -> {
                        ZooKeeper.States state = current().zooKeeper().getState();
                        return state.isConnected() || !state.isAlive();
                    });
        } catch (ConditionTimeoutException e) {
            return false;
        }
        if (!current().zooKeeper().getState().isAlive()) {
            replaceSession();
        }
        return true;
    }

    private synchronized RecordingZooKeeper current() {
        return client;
    }

    /** A new client, once it has its session: the history records the session of every operation. */
    private void openSession() throws IOException {
        ZooKeeper zk = connector.open(index);
        await("worker " + index + " has a session").atMost(plan.reconnectWait()).pollInterval(Duration.ofMillis(20))
                .until(() -> zk.getState().isConnected());
        tally.sessionsOpened.increment();
        synchronized (this) {
            // a process per session: a new session starts with no history of its own
            client = new RecordingZooKeeper(zk, recorder, index * 1000 + generation++, REPLY_TIMEOUT);
        }
    }

    private void replaceSession() throws IOException, InterruptedException {
        closeSession();
        openSession();
    }

    private void closeSession() {
        ZooKeeper zk = zooKeeper();
        if (zk != null) {
            try {
                zk.close(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
