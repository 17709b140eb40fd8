package io.ensemble.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Work in submission order, handled one batch at a time, each batch on whichever thread holds the turn. A thread
 * that submits while no batch runs takes the turn and handles the batch itself; otherwise its work waits in the
 * queue for the thread that holds the turn or, once that one lets go, for the fallback thread ({@link #runLoop}).
 *
 * <p>Why not always the fallback thread: handing work to a parked thread costs a wake-up and a context switch, and
 * a replicated write passes through the processor four times on the servers it touches (the client's request, the
 * PROPOSAL, the ACK or the fsync, the COMMIT). On this 2-core machine those switches were a large part of a write's
 * CPU; taking the turn on the reading thread removes most of them and keeps the one order.
 *
 * <p>The fallback thread runs only batches that a thread letting go of the turn leaves queued, so nothing queued
 * waits for a later submission.
 */
final class SerialBatches<T> {
    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock turn = new ReentrantLock();
    private final int maxBatch;
    private final Consumer<List<T>> handler;
    /** Reused by whoever holds the turn. */
    private final List<T> batch = new ArrayList<>();
    private volatile Thread fallback;
    private volatile boolean fallbackParked;
    private volatile boolean stopped;

    /** @param handler handles one batch, in order; called with the turn held, never concurrently */
    SerialBatches(int maxBatch, Consumer<List<T>> handler) {
        this.maxBatch = maxBatch;
        this.handler = handler;
    }

    /**
     * Queues {@code item} and, if no batch is running, handles the queue's next batch on this thread. Work submitted
     * from inside a batch only queues: it runs in a later batch.
     */
    void submit(T item) {
        queue.add(item);
        if (turn.isHeldByCurrentThread() || !turn.tryLock()) {
            return; // the holder looks at the queue after it lets go (see letGo)
        }
        try {
            runBatch();
        } finally {
            letGo();
        }
    }

    /**
     * As {@link #submit}, but this thread handles {@code item} alone or not at all: it never runs work that others
     * queued. For a thread that must not end up running whatever is queued, such as the log thread (a queued storage
     * reload would wait for the log thread itself).
     */
    void submitAlone(T item) {
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
     * Queues {@code item} and never handles anything on this thread: for a caller that must not be held up by the
     * work, such as one that bounds its wait for a report.
     */
    void enqueue(T item) {
        queue.add(item);
        if (!turn.isLocked()) {
            wakeFallback(); // nobody holds the turn, or its holder let go before the item was queued
        }
    }

    /**
     * The fallback thread: handles batches until {@link #stop} or an interrupt. Submitters that find the turn taken
     * do not wait; whoever lets go of the turn wakes this thread if work is left.
     */
    void runLoop() {
        fallback = Thread.currentThread();
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
                runBatch();
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

    private void runBatch() {
        if (stopped) {
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
