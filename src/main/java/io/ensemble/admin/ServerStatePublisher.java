package io.ensemble.admin;

import io.ensemble.quorum.peer.QuorumPeer;
import io.ensemble.server.EnsembleServer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.function.Consumer;

/**
 * Fires {@link ServerStateChanged} on every change of the server's state: once when the container starts (the
 * server was started before it), then on each quorum state change (LOOKING, LEADING, FOLLOWING, OBSERVING, serving
 * or not) of a server of an ensemble, or whenever a standalone server starts or stops.
 */
@ApplicationScoped
public class ServerStatePublisher {
    private final EnsembleServer server;
    private final QuorumPeer peer;
    private final Event<ServerStateChanged> events;
    private final Runnable standaloneListener = this::publishStandalone;
    private final Consumer<QuorumPeer.Status> peerListener = this::publishPeer;

    @Inject
    ServerStatePublisher(EnsembleServer server, Instance<QuorumPeer> peer, Event<ServerStateChanged> events) {
        this.server = server;
        this.peer = peer.isResolvable() ? peer.get() : null;
        this.events = events;
    }

    void start(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        if (peer == null) {
            server.addStateListener(standaloneListener);
            publishStandalone();
        } else {
            peer.addListener(peerListener);
            publishPeer(peer.status());
        }
    }

    @PreDestroy
    void stop() {
        server.removeStateListener(standaloneListener);
        if (peer != null) {
            peer.removeListener(peerListener);
        }
    }

    private synchronized void publishStandalone() {
        events.fire(ServerStateChanged.standalone(server.isRunning(), server.lastZxid()));
    }

    private synchronized void publishPeer(QuorumPeer.Status s) {
        String role = switch (s.state()) {
            case LEADING -> ServerStateChanged.LEADER;
            case FOLLOWING -> ServerStateChanged.FOLLOWER;
            case OBSERVING -> ServerStateChanged.OBSERVER;
            case LOOKING -> ServerStateChanged.LOOKING;
        };
        events.fire(new ServerStateChanged(role, s.serving(), server.lastZxid(), s.epoch(), s.leaderId(),
                peer.syncedFollowers()));
    }
}
