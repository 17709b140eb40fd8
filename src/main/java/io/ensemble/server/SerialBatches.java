package io.ensemble.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Work in submission order, handled one batch at a time. A thread that submits while no batch runs and nothing is
 * queued handles its own item at once, on its own thread; otherwise the item waits in the queue for the fallback
 * thread ({@link #runLoop}), which handles what is queued in batches.
 *
 * <p>Why not always the fallback thread: handing work to a parked thread costs a wake-up and a context switch, and
 * a replicated write passes through the processor four times on the servers it touches (the client's request, the
 * PROPOSAL, the ACK or the fsync, the COMMIT). At one write in flight those switches were most of a write's CPU on
 * this 2-core machine; handling an item on the thread that brought it, when the processor is idle, removes them.
 *
 * <p>Why never more than its own item: a submitter is usually a socket's reader. One that took on whatever was
 * queued stopped reading its socket for as long as that took; under load a leader's readers did little else, its
 * followers' ACKs backed up, and the followers were cut off as not keeping up. Under load the queue is rarely empty,
 * so the fallback thread does the batching, as a single processor thread did.
 */
final class SerialBatches<T> {
    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock turn = new ReentrantLock();
    private final int maxBatch;
    private final Consumer<List<T>> handler;
    private volatile Thread fallback;
    private volatile boolean fallbackParked;
    private volatile boolean stopped;

    /** @param handler handles one batch, in order, never two at once */
    SerialBatches(int maxBatch, Consumer<List<T>> handler) {
        this.maxBatch = maxBatch;
        this.handler = handler;
    }

    /**
     * Handles {@code item} on this thread if no batch is running and nothing is queued, else queues it behind what
     * is. Work submitted from inside a batch only queues: it runs in a later batch.
     */
    void submit(T item) {
        if (turn.isHeldByCurrentThread() || !turn.tryLock()) {
            enqueue(item);
            return;
        }
        try {
            if (!queue.isEmpty()) {
                queue.add(item); // behind what is queued, for the fallback thread
            } else if (!stopped) {
                handler.accept(List.of(item));
            }
        } finally {
            letGo();
        }
    }

    /**
     * Queues {@code item} for the fallback thread and never handles anything on this thread: for a caller that must
     * not be held up by the work, such as one that bounds its wait for a report.
     */
    void enqueue(T item) {
        queue.add(item);
        if (!turn.isLocked()) {
            wakeFallback(); // nobody holds the turn, or its holder let go before the item was queued
        }
    }

    /**
     * The fallback thread: handles batches until {@link #stop} or an interrupt. Submitters that find the turn taken
     * do not wait; whoever lets go of the turn wakes this thread if work is queued.
     */
    void runLoop() {
        fallback = Thread.currentThread();
        List<T> batch = new ArrayList<>();
        while (!stopped) {
            if (queue.isEmpty()) {
                fallbackParked = true;
                if (queue.isEmpty()) { // re-checked after the flag, so a letGo in between cannot miss us
                    LockSupport.park(this);
                }
                fallbackParked = false;
                if (Thread.interrupted()) {
                    return;
                }
                continue;
            }
            turn.lock();
            try {
                runBatch(batch);
            } finally {
                turn.unlock();
            }
        }
    }

    /** No batch starts after this; waits up to {@code millis} for a running one to end. */
    void stop(long millis) {
        stopped = true;
        try {
            if (turn.tryLock(millis, TimeUnit.MILLISECONDS)) {
                turn.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runBatch(List<T> batch) {
        if (stopped) { // set while this thread waited for the turn
            return;
        }
        T next;
        while (batch.size() < maxBatch && (next = queue.poll()) != null) {
            batch.add(next);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            handler.accept(batch);
        } finally {
            batch.clear();
        }
    }

    /**
     * Releases the turn, then hands what is queued to the fallback thread. Checking the queue after the release
     * pairs with a submitter that queued and then found the turn taken: one of the two sees the other.
     */
    private void letGo() {
        turn.unlock();
        if (!queue.isEmpty()) {
            wakeFallback();
        }
    }

    private void wakeFallback() {
        if (fallbackParked) {
            LockSupport.unpark(fallback);
        }
    }
}
