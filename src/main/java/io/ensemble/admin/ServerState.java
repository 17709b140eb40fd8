package io.ensemble.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The latest {@link ServerStateChanged}, kept by observing the event. Health checks and admin commands read it;
 * nothing here does I/O.
 */
@ApplicationScoped
public class ServerState {
    private volatile ServerStateChanged current;
    private volatile boolean started;

    void changed(@Observes ServerStateChanged event) {
        current = event;
        started = true;
    }

    /** The last event, or null before the first one (the server has not finished starting). */
    public ServerStateChanged current() {
        return current;
    }

    /** True once any state was published: configuration valid, data restored, a role taken. */
    public boolean started() {
        return started;
    }

    public boolean serving() {
        ServerStateChanged c = current;
        return c != null && c.serving();
    }
}
