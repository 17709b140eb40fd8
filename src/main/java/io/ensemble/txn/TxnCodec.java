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

    private TxnCodec() {
    }

    public static void write(JuteWriter w, TxnHeader h, Txn txn) {
        w.writeLong(h.sessionId()).writeInt(h.cxid()).writeLong(h.zxid()).writeLong(h.time()).writeInt(h.type());
        writeBody(w, txn);
    }

    /**
     * About the encoded size of {@code txn} with its header (over rather than under for ASCII paths), so that an
     * encoder can size its buffer once instead of doubling it through a 1 KiB value.
     */
    public static int sizeHint(Txn txn) {
        return 64 + switch (txn) {
            case Txn.Create c -> 2 * c.path().length() + length(c.data()) + 32 * c.acl().size();
            case Txn.SetData s -> 2 * s.path().length() + length(s.data());
            case Txn.Multi m -> m.txns().stream().mapToInt(TxnCodec::sizeHint).sum();
            default -> 64;
        };
    }

    private static int length(byte[] data) {
        return data == null ? 0 : data.length;
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
        return w.writeRaw(new byte[] {kind});
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
