package io.ensemble.quorum.election.tcp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;

/** One open socket to a peer, past its handshake. Only the peer's sender thread writes; one reader thread reads. */
final class Connection {

    private final Socket socket;
    private final long openedNanos = System.nanoTime();
    final DataInputStream in;
    final DataOutputStream out;

    Connection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    }

    Socket socket() {
        return socket;
    }

    long ageMillis() {
        return (System.nanoTime() - openedNanos) / 1_000_000;
    }

    void close() {
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
