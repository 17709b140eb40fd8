package io.ensemble.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The request records of zookeeper.jute, one Java record each, and the decoder that picks the record for an
 * opcode. Records with the same wire shape share a Java record (e.g. exists, getData and getChildren all carry a
 * path and a watch flag).
 */
public final class Requests {

    private Requests() {
    }

    /** Any decoded request body. */
    public sealed interface Body permits Create, Delete, PathWatch, SetData, PathOnly, SetAcl, CheckVersion, Multi,
            SetWatches, AddWatch, WatchType, Auth, Sasl, Reconfig, Empty {
    }

    /** create, create2, createContainer (ttl -1) and createTTL. */
    public record Create(String path, byte[] data, List<Acl> acl, int flags, long ttl) implements Body {
    }

    public record Delete(String path, int version) implements Body {
    }

    /** exists, getData, getChildren, getChildren2. */
    public record PathWatch(String path, boolean watch) implements Body {
    }

    public record SetData(String path, byte[] data, int version) implements Body {
    }

    /** getACL, sync, getAllChildrenNumber, getEphemerals, deleteContainer. */
    public record PathOnly(String path) implements Body {
    }

    public record SetAcl(String path, List<Acl> acl, int version) implements Body {
    }

    public record CheckVersion(String path, int version) implements Body {
    }

    /** One operation of a multi or multiRead. */
    public record Op(int type, Body body) {
    }

    public record Multi(List<Op> ops) implements Body {
    }

    /** setWatches (persistent lists empty) and setWatches2. */
    public record SetWatches(long relativeZxid, List<String> data, List<String> exist, List<String> child,
                             List<String> persistent, List<String> persistentRecursive) implements Body {
    }

    public record AddWatch(String path, int mode) implements Body {
    }

    /** checkWatches and removeWatches. */
    public record WatchType(String path, int type) implements Body {
    }

    public record Auth(int type, String scheme, byte[] auth) implements Body {
    }

    public record Sasl(byte[] token) implements Body {
    }

    /** ReconfigRequest; answered RECONFIGDISABLED, but it must decode (an unknown op would get UNIMPLEMENTED). */
    public record Reconfig(String joiningServers, String leavingServers, String newMembers, long curConfigId)
            implements Body {
    }

    /** ping, closeSession, whoAmI. */
    public record Empty() implements Body {
    }

    private static final Empty EMPTY = new Empty();

    /**
     * Decodes the body of a request of the given type; throws {@link UnknownOpException} for an unknown type. check
     * (13) counts as unknown here: since 3.9.3 ZooKeeper accepts it only inside a multi and answers a standalone one
     * UNIMPLEMENTED without looking at its body.
     */
    public static Body decode(int type, JuteReader r) {
        if (type == OpCode.CHECK) {
            throw new UnknownOpException(type);
        }
        return decodeBody(type, r);
    }

    private static Body decodeBody(int type, JuteReader r) {
        return switch (type) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER ->
                    new Create(r.readString(), r.readBuffer(), r.readAclList(), r.readInt(), -1);
            case OpCode.CREATE_TTL ->
                    new Create(r.readString(), r.readBuffer(), r.readAclList(), r.readInt(), r.readLong());
            case OpCode.DELETE -> new Delete(r.readString(), r.readInt());
            case OpCode.EXISTS, OpCode.GET_DATA, OpCode.GET_CHILDREN, OpCode.GET_CHILDREN2 ->
                    new PathWatch(r.readString(), r.readBool());
            case OpCode.SET_DATA -> new SetData(r.readString(), r.readBuffer(), r.readInt());
            case OpCode.GET_ACL, OpCode.SYNC, OpCode.GET_ALL_CHILDREN_NUMBER, OpCode.GET_EPHEMERALS,
                 OpCode.DELETE_CONTAINER -> new PathOnly(r.readString());
            case OpCode.SET_ACL -> new SetAcl(r.readString(), r.readAclList(), r.readInt());
            case OpCode.CHECK -> new CheckVersion(r.readString(), r.readInt());
            case OpCode.MULTI -> readMulti(r, false);
            case OpCode.MULTI_READ -> readMulti(r, true);
            case OpCode.SET_WATCHES -> new SetWatches(r.readLong(), r.readStringList(), r.readStringList(),
                    r.readStringList(), List.of(), List.of());
            case OpCode.SET_WATCHES2 -> new SetWatches(r.readLong(), r.readStringList(), r.readStringList(),
                    r.readStringList(), r.readStringList(), r.readStringList());
            case OpCode.ADD_WATCH -> new AddWatch(r.readString(), r.readInt());
            case OpCode.CHECK_WATCHES, OpCode.REMOVE_WATCHES -> new WatchType(r.readString(), r.readInt());
            case OpCode.AUTH -> new Auth(r.readInt(), r.readString(), r.readBuffer());
            case OpCode.SASL -> new Sasl(r.readBuffer());
            case OpCode.RECONFIG -> new Reconfig(r.readString(), r.readString(), r.readString(), r.readLong());
            case OpCode.PING, OpCode.CLOSE_SESSION, OpCode.WHO_AM_I -> EMPTY;
            default -> throw new UnknownOpException(type);
        };
    }

    /**
     * Reads a MultiOperationRecord. A sub-op that is not allowed in this kind of multi is a marshalling error,
     * as in ZooKeeper; so is a create with flags outside 0..6.
     */
    private static Multi readMulti(JuteReader r, boolean readOnly) {
        List<Op> ops = new ArrayList<>();
        while (true) {
            int type = r.readInt();
            boolean done = r.readBool();
            r.readInt(); // err, always -1 in requests
            if (done) {
                return new Multi(ops);
            }
            boolean allowed = readOnly
                    ? type == OpCode.GET_CHILDREN || type == OpCode.GET_DATA
                    : switch (type) {
                        case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER, OpCode.CREATE_TTL,
                             OpCode.DELETE, OpCode.SET_DATA, OpCode.CHECK -> true;
                        default -> false;
                    };
            if (!allowed) {
                throw new MalformedRecordException("op type " + type + " is not allowed in a multi");
            }
            Body body = decodeBody(type, r);
            if (body instanceof Create c) {
                type = createOpType(type, c);
                if (type != OpCode.CREATE_TTL && c.ttl() >= 0) {
                    body = new Create(c.path(), c.data(), c.acl(), c.flags(), -1);
                }
            }
            ops.add(new Op(type, body));
        }
    }

    /**
     * The op type ZooKeeper's MultiOperationRecord gives a create sub-op (it rebuilds each one with Op.create):
     * create, create2 and createContainer reject flags outside 0..6 and the TTL modes (5, 6), and a container
     * flag (4) makes any create a createContainer. createTTL keeps its type only with a TTL mode; otherwise it
     * becomes a plain create without ttl (or a createContainer for flag 4), and bad flags are left to preparation,
     * which answers BADARGUMENTS for that op.
     */
    private static int createOpType(int type, Create c) {
        int flags = c.flags();
        if (type == OpCode.CREATE_TTL) {
            if (flags == 5 || flags == 6) {
                return type;
            }
            return flags == 4 ? OpCode.CREATE_CONTAINER : OpCode.CREATE;
        }
        if (flags < 0 || flags > 6) {
            throw new MalformedRecordException("invalid create flags " + flags + " in a multi");
        }
        if (flags == 5 || flags == 6) {
            throw new MalformedRecordException("TTL create mode " + flags + " needs createTTL in a multi");
        }
        return flags == 4 ? OpCode.CREATE_CONTAINER : type;
    }

    /** Thrown for a request type this server does not know. */
    public static final class UnknownOpException extends RuntimeException {
        private final int type;

        public UnknownOpException(int type) {
            super("unknown request type " + type);
            this.type = type;
        }

        public int type() {
            return type;
        }
    }
}
