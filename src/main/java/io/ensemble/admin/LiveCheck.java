package io.ensemble.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * {@code /health/live}: UP while the request pipeline answers the heartbeat's no-op within the bound
 * ({@code ensemble.admin.livenessTimeoutMs}). It does not look at the role: a server that lost quorum is still
 * live, so Kubernetes does not restart a whole ensemble during an election.
 */
@Liveness
@ApplicationScoped
public class LiveCheck implements HealthCheck {
    private final ServerState state;
    private final Heartbeat heartbeat;

    @Inject
    LiveCheck(ServerState state, Heartbeat heartbeat) {
        this.state = state;
        this.heartbeat = heartbeat;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthData.add(HealthCheckResponse.named("ensemble-live"), state.current(), heartbeat.counts())
                .withData("pipeline_silence_ms", heartbeat.silenceMillis())
                .withData("pipeline_bound_ms", heartbeat.boundMillis())
                .status(heartbeat.responsive())
                .build();
    }
}
