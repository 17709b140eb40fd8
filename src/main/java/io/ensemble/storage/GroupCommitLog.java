package io.ensemble.storage;

import io.ensemble.txn.LoggedTxn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The log thread. Batches queue up while an fsync is in flight; the next round writes all of them and makes them
 * durable with a single fsync, then releases their replies. A reply therefore never leaves before its
 * transaction (and every earlier one) is on disk.
 */
public final class GroupCommitLog implements Runnable {
    private static final Logger LOG = Logger.getLogger(GroupCommitLog.class.getName());

    /** Called after each round with the number of transactions logged (drives snapshots and metrics). */
    public interface Listener {
        void logged(int txns, long lastZxid, long fsyncNanos);
    }

    private record Batch(List<LoggedTxn> txns, Runnable release) {
    }

    private final LinkedBlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong durableZxid = new AtomicLong();
    private final TxnLog log;
    private final Listener listener;
    private final Runnable onFatal;
    private final AtomicLong txnCount = new AtomicLong();
    private final AtomicLong fsyncNanosTotal = new AtomicLong();
    private final AtomicLong fsyncNanosMax = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean rollRequested;

    public GroupCommitLog(TxnLog log, long durableZxid, Listener listener, Runnable onFatal) {
        this.log = log;
        this.listener = listener;
        this.onFatal = onFatal;
        this.durableZxid.set(durableZxid);
    }

    /** Hands over one processing batch: its transactions and the action that sends its replies. */
    public void submit(List<LoggedTxn> txns, Runnable release) {
        pending.incrementAndGet();
        queue.add(new Batch(txns, release));
    }

    /** True when every submitted batch has been released; a batch without writes may then go out at once. */
    public boolean idle() {
        return pending.get() == 0;
    }

    public long durableZxid() {
        return durableZxid.get();
    }

    public long fsyncCount() {
        return log.fsyncCount();
    }

    public long txnCount() {
        return txnCount.get();
    }

    /** Total time spent in fsync, in milliseconds (with {@link #fsyncCount()} gives the average). */
    public double fsyncMillisTotal() {
        return fsyncNanosTotal.get() / 1e6;
    }

    /** The longest single fsync so far, in milliseconds. */
    public double fsyncMillisMax() {
        return fsyncNanosMax.get() / 1e6;
    }

    /** Blocks until the log is durable up to the zxid (used before a snapshot is published). */
    public void awaitDurable(long zxid) throws InterruptedException {
        synchronized (durableZxid) {
            while (durableZxid.get() < zxid && running) {
                durableZxid.wait(1000);
            }
        }
    }

    /** Asks the log thread to start a new log file right after its current round. */
    public void rollOnNextRound() {
        rollRequested = true;
    }

    @Override
    public void run() {
        List<Batch> round = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Batch first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                round.add(first);
            } catch (InterruptedException e) {
                if (queue.isEmpty()) {
                    return;
                }
                continue;
            }
            queue.drainTo(round);
            try {
                writeRound(round);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.SEVERE, "Cannot write the transaction log; stopping rather than acknowledge writes "
                        + "that are not on disk: " + e, e);
                running = false;
                onFatal.run();
                return;
            }
            for (Batch b : round) {
                b.release().run();
            }
            pending.addAndGet(-round.size());
            round.clear();
        }
    }

    private void writeRound(List<Batch> round) throws IOException {
        int n = 0;
        long last = -1;
        for (Batch b : round) {
            for (LoggedTxn t : b.txns()) {
                log.append(t);
                last = t.zxid();
                n++;
            }
        }
        if (n == 0) {
            return;
        }
        long start = System.nanoTime();
        log.sync();
        long took = System.nanoTime() - start;
        txnCount.addAndGet(n);
        fsyncNanosTotal.addAndGet(took);
        fsyncNanosMax.accumulateAndGet(took, Math::max);
        synchronized (durableZxid) {
            durableZxid.set(last);
            durableZxid.notifyAll();
        }
        listener.logged(n, last, took);
        if (rollRequested) {
            rollRequested = false;
            log.roll();
        }
    }

    /** Stops after the queued batches are written. */
    public void stop() {
        running = false;
    }

    public void close() throws IOException {
        log.close();
    }
}
