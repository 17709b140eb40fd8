package io.ensemble.quorum.election;

/**
 * Carries election messages between servers by id. Sending never blocks: messages are queued per peer and go out
 * when (and if) a connection exists. Implementations: {@link io.ensemble.quorum.election.tcp.TcpElectionTransport},
 * and in-memory ones in tests.
 */
public interface ElectionTransport extends AutoCloseable {

    /** Starts accepting connections and delivering received messages to {@code handler}. */
    void start(MessageHandler handler);

    /** Queues {@code message} for server {@code to}; a server not in the ensemble is ignored. */
    void send(long to, byte[] message);

    @Override
    void close();

    /** Receives messages; called from the transport's threads. */
    @FunctionalInterface
    interface MessageHandler {

        /** Throwing IllegalArgumentException rejects the message as malformed: the transport closes that link. */
        void onMessage(long from, byte[] message);
    }
}
