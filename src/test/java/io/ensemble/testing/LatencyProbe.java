package io.ensemble.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A well-behaved client's view during a fault: one thread runs the operation back to back and records how long
 * each took and how many failed, so a test can say "writes kept succeeding, p99 X ms, max Y ms".
 */
public final class LatencyProbe implements AutoCloseable {

    /** One operation of the probe (a write, a read); throwing counts as a failure. */
    @FunctionalInterface
    public interface Op {
        void run(int i) throws Exception;
    }

    /** What the probe saw, latencies in milliseconds. */
    public record Figures(int ops, int errors, double p50, double p99, double max, String lastError) {
        @Override
        public String toString() {
            return String.format("%d ops, %d errors, p50 %.1f ms, p99 %.1f ms, max %.1f ms", ops, errors, p50, p99,
                    max);
        }
    }

    private final List<Long> nanos = new ArrayList<>();
    private final AtomicInteger errors = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile String lastError;

    private LatencyProbe(String name, Op op) {
        thread = Thread.ofPlatform().name("probe-" + name).daemon().start(() -> {
            for (int i = 0; running.get(); i++) {
                long start = System.nanoTime();
                try {
                    op.run(i);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    errors.incrementAndGet();
                    lastError = e.toString();
                }
                long took = System.nanoTime() - start;
                synchronized (nanos) {
                    nanos.add(took);
                }
            }
        });
    }

    public static LatencyProbe start(String name, Op op) {
        return new LatencyProbe(name, op);
    }

    /** The figures so far (the probe keeps running). */
    public Figures figures() {
        List<Long> sorted;
        synchronized (nanos) {
            sorted = new ArrayList<>(nanos);
        }
        sorted.sort(null);
        if (sorted.isEmpty()) {
            return new Figures(0, errors.get(), 0, 0, 0, lastError);
        }
        return new Figures(sorted.size(), errors.get(), ms(sorted, 0.50), ms(sorted, 0.99),
                sorted.getLast() / 1e6, lastError);
    }

    private static double ms(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) (q * sorted.size()))) / 1e6;
    }

    /** Stops the probe and returns its figures. */
    public Figures stop() throws InterruptedException {
        running.set(false);
        thread.join(30_000);
        return figures();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
