package io.ensemble.wire;

/**
 * The first frame of a session. {@code readOnlyPresent} records whether the client sent the trailing readOnly
 * byte (node-zookeeper-client does not), because the response must echo that shape.
 */
public record ConnectRequest(int protocolVersion, long lastZxidSeen, int timeout, long sessionId, byte[] passwd,
                             boolean readOnly, boolean readOnlyPresent) {

    public static ConnectRequest read(JuteReader r) {
        int version = r.readInt();
        long lastZxid = r.readLong();
        int timeout = r.readInt();
        long sessionId = r.readLong();
        byte[] passwd = r.readBuffer();
        boolean present = r.hasRemaining();
        boolean readOnly = present && r.readBool();
        return new ConnectRequest(version, lastZxid, timeout, sessionId, passwd, readOnly, present);
    }

    public void write(JuteWriter w) {
        w.writeInt(protocolVersion).writeLong(lastZxidSeen).writeInt(timeout).writeLong(sessionId).writeBuffer(passwd);
        if (readOnlyPresent) {
            w.writeBool(readOnly);
        }
    }
}
