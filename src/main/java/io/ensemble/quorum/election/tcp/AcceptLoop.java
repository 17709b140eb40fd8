package io.ensemble.quorum.election.tcp;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Accepts connections on a peer port until the owner closes, handing each socket to its own virtual thread so a
 * slow handshake never holds up the next peer. Shared by the election and the quorum transports.
 */
public final class AcceptLoop {
    private static final Logger LOG = Logger.getLogger(AcceptLoop.class.getName());

    private AcceptLoop() {
    }

    public static void start(String name, ServerSocket listener, BooleanSupplier closed, Consumer<Socket> handshake) {
        Thread.ofVirtual().name(name).start(() -> {
            while (!closed.getAsBoolean()) {
                try {
                    Socket socket = listener.accept();
                    Thread.ofVirtual().name(name + "-handshake").start(() -> handshake.accept(socket));
                } catch (IOException e) {
                    if (!closed.getAsBoolean()) {
                        LOG.log(Level.WARNING, name + ": accept on port " + listener.getLocalPort() + " failed", e);
                    }
                }
            }
        });
    }
}
