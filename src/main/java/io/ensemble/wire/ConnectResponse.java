package io.ensemble.wire;

/** The server's answer to a ConnectRequest; timeout 0 tells the client its session has expired. */
public record ConnectResponse(int timeout, long sessionId, byte[] passwd, boolean readOnly,
                              boolean writeReadOnlyFlag) {

    public static final byte[] EMPTY_PASSWORD = new byte[16];

    public static ConnectResponse expired(boolean writeReadOnlyFlag) {
        return new ConnectResponse(0, 0, EMPTY_PASSWORD, false, writeReadOnlyFlag);
    }

    public void write(JuteWriter w) {
        w.writeInt(0).writeInt(timeout).writeLong(sessionId).writeBuffer(passwd);
        if (writeReadOnlyFlag) {
            w.writeBool(readOnly);
        }
    }
}
