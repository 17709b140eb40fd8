package io.ensemble.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/**
 * {@code /health/started}: UP once the server has published a state, which it does only after the configuration
 * was validated and the data restored from snapshot and log. It stays UP after that: losing a role is readiness'
 * business, and a stuck process liveness'.
 */
@Startup
@ApplicationScoped
public class StartedCheck implements HealthCheck {
    private final ServerState state;
    private final Heartbeat heartbeat;

    @Inject
    StartedCheck(ServerState state, Heartbeat heartbeat) {
        this.state = state;
        this.heartbeat = heartbeat;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthData.add(HealthCheckResponse.named("ensemble-started"), state.current(), heartbeat.counts())
                .status(state.started())
                .build();
    }
}
