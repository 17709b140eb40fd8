package io.ensemble;

import io.ensemble.server.EnsembleServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * Hands the server that {@link Main} started to the CDI beans (health checks, admin commands). Main starts it
 * before the container so that start-up errors are one line; this producer is the bridge.
 */
@ApplicationScoped
public class RunningServer {
    private static volatile EnsembleServer server;

    static void set(EnsembleServer s) {
        server = s;
    }

    @Produces
    EnsembleServer server() {
        if (server == null) {
            throw new IllegalStateException("the Ensemble server has not been started by io.ensemble.Main");
        }
        return server;
    }
}
