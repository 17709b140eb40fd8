package io.ensemble.admin;

import io.ensemble.server.ServerCounts;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Sends a no-op through the request pipeline on every {@link #beat()} and remembers when the pipeline last
 * answered. {@link #responsive()} is the liveness signal: false once no answer came for longer than the bound,
 * i.e. the processor thread is stuck (or the server stopped). At most one ping is in flight, so a stuck queue does
 * not fill up with them. Each answer also carries the processor-owned gauges ({@link ServerCounts}) for metrics.
 * Plain Java with an injected clock, so tests drive it tick by tick.
 */
public final class PipelineHeartbeat {
    private final Supplier<CompletableFuture<ServerCounts>> ping;
    private final BooleanSupplier serving;
    private final LongSupplier clock;
    private final long boundMillis;
    private volatile long lastAnswerAt;
    private volatile ServerCounts counts;
    private CompletableFuture<ServerCounts> inFlight;

    /**
     * @param ping        one trip through the pipeline (EnsembleServer::counts)
     * @param serving     whether to ping at all (a stopped server has no pipeline to ask)
     * @param clock       milliseconds
     * @param boundMillis longest silence that still counts as responsive
     */
    public PipelineHeartbeat(Supplier<CompletableFuture<ServerCounts>> ping, BooleanSupplier serving,
                             LongSupplier clock, long boundMillis) {
        this.ping = ping;
        this.serving = serving;
        this.clock = clock;
        this.boundMillis = boundMillis;
        this.lastAnswerAt = clock.getAsLong();
    }

    /** Sends a ping unless one is still in flight or the server is not running. */
    public synchronized void beat() {
        if ((inFlight != null && !inFlight.isDone()) || !serving.getAsBoolean()) {
            return;
        }
        CompletableFuture<ServerCounts> f = ping.get();
        inFlight = f;
        f.thenAccept(c -> {
            counts = c;
            lastAnswerAt = clock.getAsLong();
        });
    }

    /** Whether the pipeline answered within the bound. */
    public boolean responsive() {
        return silenceMillis() <= boundMillis;
    }

    /** Milliseconds since the pipeline last answered (or since this heartbeat was created). */
    public long silenceMillis() {
        return clock.getAsLong() - lastAnswerAt;
    }

    public long boundMillis() {
        return boundMillis;
    }

    /** The gauges of the last answer, or null before the first one. */
    public ServerCounts counts() {
        return counts;
    }
}
