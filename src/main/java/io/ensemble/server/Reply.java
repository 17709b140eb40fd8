package io.ensemble.server;

import io.ensemble.wire.JuteWriter;
import io.ensemble.wire.Responses;

/** One outgoing frame: ReplyHeader plus an optional body (omitted when err is not 0). */
record Reply(int xid, long zxid, int err, Responses.Body body) {
    static final int NOTIFICATION_XID = -1;
    static final int PING_XID = -2;
    static final int AUTH_XID = -4;

    void write(JuteWriter w) {
        w.startFrame().writeInt(xid).writeLong(zxid).writeInt(err);
        if (err == 0 && body != null) {
            body.write(w);
        }
        w.endFrame();
    }
}
