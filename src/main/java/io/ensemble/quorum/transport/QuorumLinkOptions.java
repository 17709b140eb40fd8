package io.ensemble.quorum.transport;

/**
 * Tuning of quorum-port connections, in wall-clock milliseconds (the transport is an edge; the core counts ticks).
 *
 * @param connectTimeoutMillis bound on one connect attempt and on reading a learner's handshake
 * @param backoffInitialMillis first wait after a failed connect or an unresolved host name
 * @param backoffMaxMillis     cap of that wait, which doubles on each failure
 * @param maxFrameBytes        largest accepted frame (and snapshot chunk); a bigger one closes the connection
 * @param sendQueueCapacity    messages queued per connection; one more disconnects the peer (see QuorumChannel)
 */
public record QuorumLinkOptions(int connectTimeoutMillis, long backoffInitialMillis, long backoffMaxMillis,
                                int maxFrameBytes, int sendQueueCapacity) {

    public QuorumLinkOptions {
        if (connectTimeoutMillis <= 0 || backoffInitialMillis <= 0 || backoffMaxMillis < backoffInitialMillis
                || maxFrameBytes <= 0 || sendQueueCapacity <= 0) {
            throw new IllegalArgumentException("bad quorum link options: " + connectTimeoutMillis + " "
                    + backoffInitialMillis + " " + backoffMaxMillis + " " + maxFrameBytes + " " + sendQueueCapacity);
        }
    }

    /** Frames up to 4 MiB: a proposal carries at most jute.maxbuffer (1 MiB by default) of data plus headers. */
    public static QuorumLinkOptions defaults() {
        return new QuorumLinkOptions(5000, 50, 2000, 4 << 20, 10_000);
    }

    /**
     * The defaults, with frames large enough for any transaction the log accepts ({@code maxEntryBytes}, which
     * follows jute.maxbuffer): a write a client may send must be able to reach the followers too.
     */
    public static QuorumLinkOptions forMaxEntry(int maxEntryBytes) {
        QuorumLinkOptions d = defaults();
        int frame = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(d.maxFrameBytes(), maxEntryBytes + 1024L));
        return new QuorumLinkOptions(d.connectTimeoutMillis(), d.backoffInitialMillis(), d.backoffMaxMillis(), frame,
                d.sendQueueCapacity());
    }
}
