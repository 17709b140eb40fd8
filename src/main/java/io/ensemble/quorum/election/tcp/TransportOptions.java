package io.ensemble.quorum.election.tcp;

/**
 * Tuning of the election port's connections, in wall-clock milliseconds (the transport is an edge, not the core).
 *
 * @param connectTimeoutMillis bound on a connect and on reading the peer's handshake
 * @param backoffInitialMillis first wait after a failed connect or an unresolved host name
 * @param backoffMaxMillis     cap of that wait, which doubles on each failure
 * @param maxFrameBytes        largest accepted frame; a bigger one closes the connection
 * @param queueCapacity        messages kept per peer while it is unreachable; the oldest are dropped
 */
public record TransportOptions(int connectTimeoutMillis, long backoffInitialMillis, long backoffMaxMillis,
                               int maxFrameBytes, int queueCapacity) {

    public TransportOptions {
        if (connectTimeoutMillis <= 0 || backoffInitialMillis <= 0 || backoffMaxMillis < backoffInitialMillis
                || maxFrameBytes <= 0 || queueCapacity <= 0) {
            throw new IllegalArgumentException("bad transport options: " + connectTimeoutMillis + " "
                    + backoffInitialMillis + " " + backoffMaxMillis + " " + maxFrameBytes + " " + queueCapacity);
        }
    }

    public static TransportOptions defaults() {
        return new TransportOptions(5000, 50, 2000, 64 * 1024, 16);
    }
}
