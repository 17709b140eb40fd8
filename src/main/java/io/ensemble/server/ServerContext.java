package io.ensemble.server;

import io.ensemble.config.ServerConfig;

/** What a connection needs from the server it belongs to. */
interface ServerContext {
    ServerConfig config();

    ServerStats stats();

    /** Queues work for the request processor; blocks while the server has too much in flight. */
    void submit(Work work) throws InterruptedException;

    /** A packet arrived on the connection: its session lives on. */
    void touch(ClientConnection conn);

    void connectionClosed(ClientConnection conn);

    /** The text reply to a four-letter word. */
    String fourLetterWord(String word);
}
