package io.ensemble.quorum.election.tcp;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The election port's framing. A connection opens with a handshake {@code int MAGIC, long sid} from the side that
 * dialled; then each message is {@code int length, byte[length]} in both directions. The length framing is shared
 * with the quorum port's transport ({@code io.ensemble.quorum.transport}), which has its own handshake.
 */
public final class Frames {

    /** "ENEL": Ensemble election. Anything else on the port is not one of ours. */
    static final int MAGIC = 0x454e454c;

    private Frames() {
    }

    static void writeHandshake(DataOutputStream out, long sid) throws IOException {
        out.writeInt(MAGIC);
        out.writeLong(sid);
        out.flush();
    }

    /** Returns the dialler's id; throws BadFrameException if the bytes are not a handshake. */
    static long readHandshake(DataInputStream in) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new BadFrameException("not an election handshake: 0x" + Integer.toHexString(magic));
        }
        return in.readLong();
    }

    public static void writeFrame(DataOutputStream out, byte[] message) throws IOException {
        appendFrame(out, message);
        out.flush();
    }

    /** Writes a frame without flushing: the caller flushes once after a batch. */
    public static void appendFrame(DataOutputStream out, byte[] message) throws IOException {
        out.writeInt(message.length);
        out.write(message);
    }

    public static byte[] readFrame(DataInputStream in, int maxBytes) throws IOException {
        byte[] body = new byte[readLength(in, maxBytes)];
        in.readFully(body);
        return body;
    }

    /** Reads a frame's length prefix; the caller reads that many bytes of body next. */
    public static int readLength(DataInputStream in, int maxBytes) throws IOException {
        int length = in.readInt();
        if (length <= 0 || length > maxBytes) {
            throw new BadFrameException("frame length " + length + " outside 1.." + maxBytes);
        }
        return length;
    }

    /** Bytes that break the protocol: the connection is closed, other connections are untouched. */
    public static final class BadFrameException extends IOException {
        public BadFrameException(String message) {
            super(message);
        }
    }
}
