package io.ensemble.txn;

import io.ensemble.wire.JuteReader;
import io.ensemble.wire.JuteWriter;
import io.ensemble.wire.MalformedRecordException;

import java.util.ArrayList;
import java.util.List;

/** The binary form of a logged transaction: its header, a one-byte kind, then the kind's fields. */
public final class TxnCodec {
    private static final byte CREATE = 1;
    private static final byte DELETE = 2;
    private static final byte SET_DATA = 3;
    private static final byte SET_ACL = 4;
    private static final byte CHECK = 5;
    private static final byte MULTI = 6;
    private static final byte CREATE_SESSION = 7;
    private static final byte CLOSE_SESSION = 8;
    private static final byte ERROR = 9;
    /** sessionId, cxid, zxid, time, type. */
    private static final int HEADER_BYTES = 8 + 4 + 8 + 8 + 4;

    private TxnCodec() {
    }

    public static void write(JuteWriter w, TxnHeader h, Txn txn) {
        w.writeLong(h.sessionId()).writeInt(h.cxid()).writeLong(h.zxid()).writeLong(h.time()).writeInt(h.type());
        writeBody(w, txn);
    }

    /** The exact size {@link #write} gives {@code txn} with its header: encoders size their buffers with it. */
    public static int encodedSize(Txn txn) {
        return HEADER_BYTES + bodySize(txn);
    }

    private static int bodySize(Txn txn) {
        return 1 + switch (txn) {
            case Txn.Create c -> JuteWriter.stringSize(c.path()) + JuteWriter.bufferSize(c.data())
                    + JuteWriter.aclListSize(c.acl()) + 8 + 4;
            case Txn.Delete d -> JuteWriter.stringSize(d.path());
            case Txn.SetData s -> JuteWriter.stringSize(s.path()) + JuteWriter.bufferSize(s.data()) + 4;
            case Txn.SetAcl s -> JuteWriter.stringSize(s.path()) + JuteWriter.aclListSize(s.acl()) + 4;
            case Txn.CheckVersion c -> JuteWriter.stringSize(c.path()) + 4;
            case Txn.Multi m -> {
                int n = 4;
                for (Txn t : m.txns()) {
                    n += bodySize(t);
                }
                yield n;
            }
            case Txn.CreateSession c -> 4;
            case Txn.CloseSession c -> 0;
            case Txn.Error e -> 4;
        };
    }

    public static LoggedTxn read(JuteReader r) {
        TxnHeader h = new TxnHeader(r.readLong(), r.readInt(), r.readLong(), r.readLong(), r.readInt());
        return new LoggedTxn(h, readBody(r));
    }

    private static void writeBody(JuteWriter w, Txn txn) {
        switch (txn) {
            case Txn.Create c -> {
                tag(w, CREATE).writeString(c.path()).writeBuffer(c.data()).writeAclList(c.acl());
                w.writeLong(c.ephemeralOwner()).writeInt(c.parentCversion());
            }
            case Txn.Delete d -> tag(w, DELETE).writeString(d.path());
            case Txn.SetData s -> tag(w, SET_DATA).writeString(s.path()).writeBuffer(s.data()).writeInt(s.version());
            case Txn.SetAcl s -> tag(w, SET_ACL).writeString(s.path()).writeAclList(s.acl()).writeInt(s.aversion());
            case Txn.CheckVersion c -> tag(w, CHECK).writeString(c.path()).writeInt(c.version());
            case Txn.Multi m -> {
                tag(w, MULTI).writeInt(m.txns().size());
                m.txns().forEach(t -> writeBody(w, t));
            }
            case Txn.CreateSession c -> tag(w, CREATE_SESSION).writeInt(c.timeout());
            case Txn.CloseSession c -> tag(w, CLOSE_SESSION);
            case Txn.Error e -> tag(w, ERROR).writeInt(e.err());
        }
    }

    private static JuteWriter tag(JuteWriter w, byte kind) {
        return w.writeByte(kind);
    }

    private static Txn readBody(JuteReader r) {
        byte kind = r.readByte();
        return switch (kind) {
            case CREATE -> new Txn.Create(r.readString(), r.readBuffer(), r.readAclList(), r.readLong(), r.readInt());
            case DELETE -> new Txn.Delete(r.readString());
            case SET_DATA -> new Txn.SetData(r.readString(), r.readBuffer(), r.readInt());
            case SET_ACL -> new Txn.SetAcl(r.readString(), r.readAclList(), r.readInt());
            case CHECK -> new Txn.CheckVersion(r.readString(), r.readInt());
            case MULTI -> {
                int n = r.readInt();
                if (n < 0 || n > r.remaining()) {
                    throw new MalformedRecordException("bad multi size " + n);
                }
                List<Txn> txns = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    txns.add(readBody(r));
                }
                yield new Txn.Multi(txns);
            }
            case CREATE_SESSION -> new Txn.CreateSession(r.readInt());
            case CLOSE_SESSION -> new Txn.CloseSession();
            case ERROR -> new Txn.Error(r.readInt());
            default -> throw new MalformedRecordException("unknown transaction kind " + kind);
        };
    }
}
