package io.ensemble.quorum.zab;

import io.ensemble.quorum.zab.ZabMessage.*;
import io.ensemble.txn.LoggedTxn;
import io.ensemble.wire.Id;
import io.ensemble.txn.TxnCodec;
import io.ensemble.wire.JuteReader;
import io.ensemble.wire.JuteWriter;
import io.ensemble.wire.MalformedRecordException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a quorum-port frame: an int type (ZooKeeper's packet numbers where one exists) then the message's
 * fields, jute-encoded. Length framing is the transport's job. Peers are all Ensemble servers, so the two answers
 * ZooKeeper sends under the request's own type get types of their own here.
 */
public final class ZabMessageCodec {
    static final int REQUEST = 1;
    static final int PROPOSAL = 2;
    static final int ACK = 3;
    static final int COMMIT = 4;
    static final int PING = 5;
    static final int REVALIDATE = 6;
    static final int SYNC = 7;
    static final int INFORM = 8;
    static final int NEWLEADER = 10;
    static final int FOLLOWERINFO = 11;
    static final int UPTODATE = 12;
    static final int DIFF = 13;
    static final int TRUNC = 14;
    static final int SNAP = 15;
    static final int OBSERVERINFO = 16;
    static final int LEADERINFO = 17;
    static final int ACKEPOCH = 18;
    static final int REVALIDATE_REPLY = 106;
    static final int SYNC_REPLY = 107;

    private ZabMessageCodec() {
    }

    public static byte[] encode(ZabMessage message) {
        // Sized exactly where a transaction or a client's request rides along, so finish() hands the buffer over
        // instead of growing and then copying it.
        JuteWriter w = switch (message) {
            case Proposal p -> new JuteWriter(4 + TxnCodec.encodedSize(p.txn().txn()));
            case Inform i -> new JuteWriter(4 + TxnCodec.encodedSize(i.txn().txn()));
            case Request r -> new JuteWriter(requestSize(r));
            default -> new JuteWriter(64);
        };
        switch (message) {
            case FollowerInfo m -> w.writeInt(FOLLOWERINFO).writeLong(m.sid()).writeLong(m.acceptedEpoch())
                    .writeLong(m.lastZxid());
            case ObserverInfo m -> w.writeInt(OBSERVERINFO).writeLong(m.sid()).writeLong(m.acceptedEpoch())
                    .writeLong(m.lastZxid());
            case LeaderInfo m -> w.writeInt(LEADERINFO).writeLong(m.newEpoch());
            case AckEpoch m -> w.writeInt(ACKEPOCH).writeLong(m.currentEpoch()).writeLong(m.lastZxid());
            case Diff m -> w.writeInt(DIFF).writeLong(m.zxid());
            case Trunc m -> w.writeInt(TRUNC).writeLong(m.zxid());
            case Snap m -> w.writeInt(SNAP).writeLong(m.zxid());
            case Proposal m -> writeTxn(w.writeInt(PROPOSAL), m.txn());
            case Commit m -> w.writeInt(COMMIT).writeLong(m.zxid());
            case Inform m -> writeTxn(w.writeInt(INFORM), m.txn());
            case NewLeader m -> w.writeInt(NEWLEADER).writeLong(m.zxid());
            case Ack m -> w.writeInt(ACK).writeLong(m.zxid());
            case UpToDate m -> w.writeInt(UPTODATE);
            case Ping m -> {
                w.writeInt(PING).writeInt(m.touches().size());
                m.touches().forEach(t -> w.writeLong(t.sessionId()).writeInt(t.timeout()));
            }
            case Request m -> {
                w.writeInt(REQUEST).writeLong(m.sessionId()).writeInt(m.cxid()).writeInt(m.type())
                        .writeBuffer(m.body()).writeInt(m.auth().size());
                m.auth().forEach(id -> w.writeString(id.scheme()).writeString(id.id()));
            }
            case Revalidate m -> w.writeInt(REVALIDATE).writeLong(m.sessionId()).writeInt(m.timeout());
            case RevalidateReply m -> w.writeInt(REVALIDATE_REPLY).writeLong(m.sessionId()).writeBool(m.valid());
            case Sync m -> w.writeInt(SYNC).writeLong(m.sessionId()).writeInt(m.cxid()).writeString(m.path());
            case SyncReply m -> w.writeInt(SYNC_REPLY).writeLong(m.sessionId()).writeInt(m.cxid())
                    .writeString(m.path());
        }
        return w.finish();
    }

    private static int requestSize(Request r) {
        int n = 4 + 8 + 4 + 4 + JuteWriter.bufferSize(r.body()) + 4;
        for (Id id : r.auth()) {
            n += JuteWriter.stringSize(id.scheme()) + JuteWriter.stringSize(id.id());
        }
        return n;
    }

    private static void writeTxn(JuteWriter w, LoggedTxn t) {
        TxnCodec.write(w, t.header(), t.txn());
    }

    /** Decodes one frame body; throws MalformedRecordException if it is not a whole, known message. */
    public static ZabMessage decode(byte[] body) {
        return decode(body, body.length);
    }

    /**
     * Decodes the first {@code length} bytes of {@code body}. The message copies what it keeps, so the caller may
     * reuse the array for the next frame.
     */
    public static ZabMessage decode(byte[] body, int length) {
        JuteReader r = new JuteReader(ByteBuffer.wrap(body, 0, length));
        int type = r.readInt();
        ZabMessage m = switch (type) {
            case FOLLOWERINFO -> new FollowerInfo(r.readLong(), r.readLong(), r.readLong());
            case OBSERVERINFO -> new ObserverInfo(r.readLong(), r.readLong(), r.readLong());
            case LEADERINFO -> new LeaderInfo(r.readLong());
            case ACKEPOCH -> new AckEpoch(r.readLong(), r.readLong());
            case DIFF -> new Diff(r.readLong());
            case TRUNC -> new Trunc(r.readLong());
            case SNAP -> new Snap(r.readLong());
            case PROPOSAL -> new Proposal(TxnCodec.read(r));
            case COMMIT -> new Commit(r.readLong());
            case INFORM -> new Inform(TxnCodec.read(r));
            case NEWLEADER -> new NewLeader(r.readLong());
            case ACK -> new Ack(r.readLong());
            case UPTODATE -> new UpToDate();
            case PING -> new Ping(readTouches(r));
            case REQUEST -> new Request(r.readLong(), r.readInt(), r.readInt(), r.readBuffer(), readIds(r));
            case REVALIDATE -> new Revalidate(r.readLong(), r.readInt());
            case REVALIDATE_REPLY -> new RevalidateReply(r.readLong(), r.readBool());
            case SYNC -> new Sync(r.readLong(), r.readInt(), r.readString());
            case SYNC_REPLY -> new SyncReply(r.readLong(), r.readInt(), r.readString());
            default -> throw new MalformedRecordException("unknown quorum packet type " + type);
        };
        if (r.hasRemaining()) {
            throw new MalformedRecordException(r.remaining() + " stray bytes after packet type " + type);
        }
        return m;
    }

    private static List<SessionTouch> readTouches(JuteReader r) {
        int n = r.readInt();
        if (n < 0 || n > r.remaining() / 12) {
            throw new MalformedRecordException("bad session touch count " + n);
        }
        List<SessionTouch> touches = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            touches.add(new SessionTouch(r.readLong(), r.readInt()));
        }
        return touches;
    }

    private static List<Id> readIds(JuteReader r) {
        int n = r.readInt();
        if (n < 0 || n > r.remaining() / 8) {
            throw new MalformedRecordException("bad auth id count " + n);
        }
        List<Id> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(new Id(r.readString(), r.readString()));
        }
        return ids;
    }
}
