package io.ensemble.server;

import io.ensemble.fault.WallClock;

import java.util.concurrent.atomic.AtomicLong;

/** Per-connection counters for the stat and cons reports. */
final class ConnectionStats {
    final long established = WallClock.millis();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private volatile int lastCxid = -1;
    private volatile long lastZxid = -1;
    private volatile String lastOp = "NA";
    private final LatencyStats latency = new LatencyStats();

    void received() {
        received.incrementAndGet();
    }

    void sent(int xid, long zxid) {
        sent.incrementAndGet();
        if (xid >= 0) {
            lastCxid = xid;
            lastZxid = zxid;
        }
    }

    void completed(String op, long latencyMillis) {
        lastOp = op;
        latency.add(latencyMillis);
    }

    long sentCount() {
        return sent.get();
    }

    long receivedCount() {
        return received.get();
    }

    int lastCxid() {
        return lastCxid;
    }

    long lastZxid() {
        return lastZxid;
    }

    String lastOp() {
        return lastOp;
    }

    LatencyStats latency() {
        return latency;
    }
}
