package io.ensemble.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /health/ready}: UP while the last {@link ServerStateChanged} says the server serves clients — standalone
 * and running; later also a leader with a quorum of synced followers, or a follower/observer that got UPTODATE
 * (the quorum peer decides {@code serving} when it fires the event).
 */
@Readiness
@ApplicationScoped
public class ReadyCheck implements HealthCheck {
    private final ServerState state;
    private final Heartbeat heartbeat;

    @Inject
    ReadyCheck(ServerState state, Heartbeat heartbeat) {
        this.state = state;
        this.heartbeat = heartbeat;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthData.add(HealthCheckResponse.named("ensemble-ready"), state.current(), heartbeat.counts())
                .status(state.serving())
                .build();
    }
}
