package io.ensemble.server;

/** Min / average / max request latency in milliseconds, as the srvr and mntr reports print it. */
public final class LatencyStats {
    private long min = Long.MAX_VALUE;
    private long max;
    private long total;
    private long count;

    public synchronized void add(long millis) {
        min = Math.min(min, millis);
        max = Math.max(max, millis);
        total += millis;
        count++;
    }

    public synchronized long min() {
        return count == 0 ? 0 : min;
    }

    public synchronized long max() {
        return max;
    }

    public synchronized double avg() {
        return count == 0 ? 0 : (double) total / count;
    }

    public synchronized long count() {
        return count;
    }

    public synchronized void reset() {
        min = Long.MAX_VALUE;
        max = 0;
        total = 0;
        count = 0;
    }
}
