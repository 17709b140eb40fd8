package io.ensemble;

import io.ensemble.quorum.peer.QuorumPeer;
import io.ensemble.server.EnsembleServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;

/**
 * Hands the server that {@link Main} started to the CDI beans (health checks, metrics, admin commands in
 * {@code io.ensemble.admin}). Main starts it before the container so that start-up errors are one line; this
 * producer is the bridge, and it fails fast if the container was started some other way. Tests that run the
 * container (@HelidonTest) supply their own server with an {@code @Alternative @Priority} producer instead
 * (see the admin tests' {@code EmbeddedServer}).
 */
@ApplicationScoped
public class RunningServer {
    private static volatile EnsembleServer server;
    private static volatile QuorumPeer peer;

    static void set(EnsembleServer s, QuorumPeer p) {
        server = s;
        peer = p;
    }

    /** This server's quorum peer, or null for a standalone server. */
    @Produces
    @Dependent
    QuorumPeer peer() {
        return peer;
    }

    @Produces
    EnsembleServer server() {
        if (server == null) {
            throw new IllegalStateException("the Ensemble server has not been started by io.ensemble.Main");
        }
        return server;
    }
}
