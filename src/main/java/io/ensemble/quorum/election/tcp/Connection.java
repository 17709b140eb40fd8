package io.ensemble.quorum.election.tcp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;

/**
 * One open socket to a peer, past its handshake. Only the peer's sender thread writes; one reader thread reads.
 * Shared with the quorum port's transport.
 */
public final class Connection {

    private final Socket socket;
    private final long openedNanos = System.nanoTime();
    public final DataInputStream in;
    public final DataOutputStream out;

    public Connection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    }

    public Socket socket() {
        return socket;
    }

    long ageMillis() {
        return (System.nanoTime() - openedNanos) / 1_000_000;
    }

    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing; nothing left to do with it
        }
    }

    @Override
    public String toString() {
        return socket.getLocalPort() + "<->" + socket.getRemoteSocketAddress();
    }
}
