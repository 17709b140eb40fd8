package io.ensemble.quorum.election;

import java.nio.ByteBuffer;

/**
 * The body of a notification on the election port: {@code byte format(1), int state, long leader, long zxid,
 * long electionEpoch, long peerEpoch}, big-endian. The sender's id is not in the body: the receiver takes it from
 * the connection's handshake, as ZooKeeper does, so a server cannot speak for another.
 */
public final class NotificationCodec {

    public static final byte FORMAT = 1;
    public static final int SIZE = 1 + 4 + 8 * 4;

    private static final ServerState[] STATES = ServerState.values();

    private NotificationCodec() {
    }

    public static byte[] encode(Notification n) {
        return ByteBuffer.allocate(SIZE)
                .put(FORMAT)
                .putInt(n.state().ordinal())
                .putLong(n.leader())
                .putLong(n.zxid())
                .putLong(n.electionEpoch())
                .putLong(n.peerEpoch())
                .array();
    }

    /** Decodes a body received from server {@code sid}; throws IllegalArgumentException if it is not one. */
    public static Notification decode(long sid, byte[] body) {
        if (body.length != SIZE) {
            throw new IllegalArgumentException("notification of " + body.length + " bytes, expected " + SIZE);
        }
        ByteBuffer buf = ByteBuffer.wrap(body);
        byte format = buf.get();
        if (format != FORMAT) {
            throw new IllegalArgumentException("unknown notification format " + format);
        }
        int state = buf.getInt();
        if (state < 0 || state >= STATES.length) {
            throw new IllegalArgumentException("unknown server state " + state);
        }
        long leader = buf.getLong();
        long zxid = buf.getLong();
        long electionEpoch = buf.getLong();
        long peerEpoch = buf.getLong();
        return new Notification(leader, zxid, electionEpoch, STATES[state], sid, peerEpoch);
    }
}
