package io.ensemble.quorum.transport;

import io.ensemble.quorum.election.tcp.Frames.BadFrameException;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The learner's first bytes: {@code int MAGIC, long sid, boolean observer}. The transport knows who a connection is
 * before any message reaches the core, so a learner cannot speak for another server.
 */
record QuorumHandshake(long sid, boolean observer) {

    /** "ENQU": Ensemble quorum port. Anything else on the port is not one of ours. */
    static final int MAGIC = 0x454e5155;

    void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeLong(sid);
        out.writeBoolean(observer);
        out.flush();
    }

    static QuorumHandshake readFrom(DataInputStream in) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new BadFrameException("not a quorum handshake: 0x" + Integer.toHexString(magic));
        }
        return new QuorumHandshake(in.readLong(), in.readBoolean());
    }
}
