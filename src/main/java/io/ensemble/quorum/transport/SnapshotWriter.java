package io.ensemble.quorum.transport;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a snapshot's bytes, for instance with {@code SnapshotFile.write(out, zxid, sessions, tree)}. Runs on the
 * learner's writer thread, after the messages queued before it; closing {@code out} is allowed and does not close
 * the socket.
 */
@FunctionalInterface
public interface SnapshotWriter {
    void writeTo(OutputStream out) throws IOException;
}
