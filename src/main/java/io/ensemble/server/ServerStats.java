package io.ensemble.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Server-wide counters read by the four-letter words and, later, the metrics endpoint. */
public final class ServerStats {
    private final AtomicLong packetsReceived = new AtomicLong();
    private final AtomicLong packetsSent = new AtomicLong();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final LatencyStats latency = new LatencyStats();
    /** Monotonic: uptime is a duration, which setting the clock must not change. */
    private final long startedAtNanos = System.nanoTime();
    private volatile LatencyListener latencyListener;

    /** Hears every answered request's latency (the metrics endpoint's percentiles); called on the processor thread. */
    @FunctionalInterface
    public interface LatencyListener {
        void answered(boolean update, long millis);
    }

    public void latencyListener(LatencyListener listener) {
        latencyListener = listener;
    }

    /** One answered request: the running min/avg/max, and the listener's distribution. */
    void answered(boolean update, long millis) {
        latency.add(millis);
        LatencyListener l = latencyListener;
        if (l != null) {
            l.answered(update, millis);
        }
    }

    void packetReceived() {
        packetsReceived.incrementAndGet();
    }

    void packetSent() {
        packetsSent.incrementAndGet();
    }

    void queued() {
        outstanding.incrementAndGet();
    }

    void dequeued() {
        outstanding.decrementAndGet();
    }

    public long packetsReceived() {
        return packetsReceived.get();
    }

    public long packetsSent() {
        return packetsSent.get();
    }

    public int outstandingRequests() {
        return outstanding.get();
    }

    public LatencyStats latency() {
        return latency;
    }

    public long uptimeMillis() {
        return (System.nanoTime() - startedAtNanos) / 1_000_000;
    }

    public void reset() {
        packetsReceived.set(0);
        packetsSent.set(0);
        latency.reset();
    }
}
