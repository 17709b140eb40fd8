package io.ensemble.admin;

import io.ensemble.server.EnsembleServer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Fires {@link ServerStateChanged} for a standalone server: once when the container starts (the server was started
 * before it) and again whenever the server starts or stops. The quorum peer will publish the same event for its
 * roles; this bean is then the standalone special case.
 */
@ApplicationScoped
public class StandaloneStatePublisher {
    private final EnsembleServer server;
    private final Event<ServerStateChanged> events;
    private final Runnable listener = this::publish;

    @Inject
    StandaloneStatePublisher(EnsembleServer server, Event<ServerStateChanged> events) {
        this.server = server;
        this.events = events;
    }

    void start(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        server.addStateListener(listener);
        publish();
    }

    @PreDestroy
    void stop() {
        server.removeStateListener(listener);
    }

    private synchronized void publish() {
        events.fire(ServerStateChanged.standalone(server.isRunning(), server.lastZxid()));
    }
}
