package io.ensemble.admin;

import io.ensemble.server.EnsembleServer;
import io.ensemble.server.ServerCounts;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@link PipelineHeartbeat} of the server every {@code ensemble.admin.heartbeatIntervalMs} (default
 * 1000): the liveness check reads whether the pipeline answered within {@code ensemble.admin.livenessTimeoutMs}
 * (default 10000), and the metrics read the gauges the last answer carried.
 */
@ApplicationScoped
public class Heartbeat {
    private final PipelineHeartbeat heartbeat;
    private final long intervalMillis;
    private ScheduledExecutorService timer;

    @Inject
    Heartbeat(EnsembleServer server,
              @ConfigProperty(name = "ensemble.admin.heartbeatIntervalMs", defaultValue = "1000") long intervalMillis,
              @ConfigProperty(name = "ensemble.admin.livenessTimeoutMs", defaultValue = "10000") long boundMillis) {
        this.intervalMillis = intervalMillis;
        this.heartbeat = new PipelineHeartbeat(server::counts, server::isRunning,
                () -> System.nanoTime() / 1_000_000, // monotonic: a clock jump is no silence
                boundMillis);
    }

    synchronized void start(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("admin-heartbeat")
                    .daemon().unstarted(r));
            timer.scheduleWithFixedDelay(heartbeat::beat, 0, intervalMillis, TimeUnit.MILLISECONDS);
        }
    }

    @PreDestroy
    synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    public boolean responsive() {
        return heartbeat.responsive();
    }

    public long silenceMillis() {
        return heartbeat.silenceMillis();
    }

    public long boundMillis() {
        return heartbeat.boundMillis();
    }

    /** The processor-owned gauges as of the last answer, or null before the first. */
    public ServerCounts counts() {
        return heartbeat.counts();
    }
}
