package io.ensemble.server;

import io.ensemble.wire.ConnectRequest;
import io.ensemble.wire.Requests;

/** What the request processor's queue holds: client traffic and the server's own periodic jobs. */
sealed interface Work {

    record Connect(ClientConnection conn, ConnectRequest request) implements Work {
    }

    /**
     * A decoded request; {@code body} is null when the frame did not decode ({@code decodeError} says why).
     * {@code frame} is the request as received (header included), which a learner forwards to its leader.
     */
    record Request(ClientConnection conn, int xid, int type, Requests.Body body, String decodeError,
                   long receivedNanos, byte[] frame) implements Work {
    }

    record Disconnected(ClientConnection conn) implements Work {
    }

    record ExpireSession(long sessionId) implements Work {
    }

    record ReapContainers() implements Work {
    }

    /** Runs on the processor thread, where the tree may be read safely (reports, four-letter words). */
    record Inspect(Runnable task) implements Work {
    }

    /** The replication driver's work (peer messages, ticks, log durability), run on the processor thread. */
    record Replication(Runnable task) implements Work {
    }
}
