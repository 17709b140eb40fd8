package io.ensemble.wire;

import org.apache.jute.Record;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.DeleteContainerRequest;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.proto.AddWatchRequest;
import org.apache.zookeeper.proto.AuthPacket;
import org.apache.zookeeper.proto.CheckVersionRequest;
import org.apache.zookeeper.proto.CheckWatchesRequest;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.ExistsRequest;
import org.apache.zookeeper.proto.GetACLRequest;
import org.apache.zookeeper.proto.GetAllChildrenNumberRequest;
import org.apache.zookeeper.proto.GetChildren2Request;
import org.apache.zookeeper.proto.GetChildrenRequest;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetEphemeralsRequest;
import org.apache.zookeeper.proto.GetSASLRequest;
import org.apache.zookeeper.proto.ReconfigRequest;
import org.apache.zookeeper.proto.RemoveWatchesRequest;
import org.apache.zookeeper.proto.SetACLRequest;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.SetWatches;
import org.apache.zookeeper.proto.SetWatches2;
import org.apache.zookeeper.proto.SyncRequest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.ensemble.wire.Jute.multi;
import static io.ensemble.wire.Jute.zk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Request records serialized by ZooKeeper's own jute classes must decode to exactly the same fields here. */
class RequestDecodeTest {

    private static final List<ACL> ACLS = List.of(
            new ACL(ZooDefs.Perms.ALL, ZooDefs.Ids.ANYONE_ID_UNSAFE),
            new ACL(ZooDefs.Perms.READ | ZooDefs.Perms.ADMIN,
                    new org.apache.zookeeper.data.Id("digest", "alice:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=")),
            new ACL(ZooDefs.Perms.CREATE, new org.apache.zookeeper.data.Id("ip", "10.0.0.0/8")));

    private static final List<Acl> OUR_ACLS = List.of(
            new Acl(31, new Id("world", "anyone")),
            new Acl(17, new Id("digest", "alice:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=")),
            new Acl(4, new Id("ip", "10.0.0.0/8")));

    private static final byte[] DATA = {0, 1, 2, (byte) 0xff, (byte) 0x80, 127};

    /** Decodes and checks that the whole body was consumed. */
    private static Requests.Body decode(int type, byte[] bytes) {
        JuteReader r = new JuteReader(bytes);
        Requests.Body body = Requests.decode(type, r);
        assertThat(r.remaining()).as("bytes left after decoding type %d", type).isZero();
        return body;
    }

    private static Requests.Create create(int type, Record rec) {
        return (Requests.Create) decode(type, zk(rec));
    }

    @Test
    void createFamily() {
        for (int type : new int[]{OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER}) {
            Requests.Create c = create(type, new CreateRequest("/app/é中/node", DATA, ACLS, 3));
            assertThat(c.path()).isEqualTo("/app/é中/node");
            assertThat(c.data()).containsExactly(DATA);
            assertThat(c.acl()).isEqualTo(OUR_ACLS);
            assertThat(c.flags()).isEqualTo(3);
            assertThat(c.ttl()).isEqualTo(-1);
        }
    }

    @Test
    void createKeepsNullAndEmptyDataApart() {
        Requests.Create withNull = create(OpCode.CREATE, new CreateRequest("/n", null, ACLS, 0));
        Requests.Create withEmpty = create(OpCode.CREATE, new CreateRequest("/e", new byte[0], ACLS, 0));
        assertThat(withNull.data()).isNull();
        assertThat(withEmpty.data()).isNotNull().isEmpty();
    }

    @Test
    void createWithNullOrEmptyAclList() {
        assertThat(create(OpCode.CREATE, new CreateRequest("/a", null, null, 0)).acl()).isNull();
        assertThat(create(OpCode.CREATE, new CreateRequest("/a", null, List.of(), 0)).acl()).isNotNull().isEmpty();
    }

    @Test
    void createWithNullPath() {
        assertThat(create(OpCode.CREATE, new CreateRequest(null, null, ACLS, 0)).path()).isNull();
    }

    @Test
    void createTtl() {
        Requests.Create c = create(OpCode.CREATE_TTL, new CreateTTLRequest("/ttl", DATA, ACLS, 6, 0xFFFFFFFFFFL));
        assertThat(c.path()).isEqualTo("/ttl");
        assertThat(c.data()).containsExactly(DATA);
        assertThat(c.acl()).isEqualTo(OUR_ACLS);
        assertThat(c.flags()).isEqualTo(6);
        assertThat(c.ttl()).isEqualTo(0xFFFFFFFFFFL);
    }

    @Test
    void delete() {
        assertThat(decode(OpCode.DELETE, zk(new DeleteRequest("/x/y", 42))))
                .isEqualTo(new Requests.Delete("/x/y", 42));
        assertThat(decode(OpCode.DELETE, zk(new DeleteRequest("/x", -1))))
                .isEqualTo(new Requests.Delete("/x", -1));
    }

    @Test
    void pathAndWatchRequests() {
        assertThat(decode(OpCode.EXISTS, zk(new ExistsRequest("/e", true))))
                .isEqualTo(new Requests.PathWatch("/e", true));
        assertThat(decode(OpCode.EXISTS, zk(new ExistsRequest("/e", false))))
                .isEqualTo(new Requests.PathWatch("/e", false));
        assertThat(decode(OpCode.GET_DATA, zk(new GetDataRequest("/d", true))))
                .isEqualTo(new Requests.PathWatch("/d", true));
        assertThat(decode(OpCode.GET_CHILDREN, zk(new GetChildrenRequest("/c", false))))
                .isEqualTo(new Requests.PathWatch("/c", false));
        assertThat(decode(OpCode.GET_CHILDREN2, zk(new GetChildren2Request("/c2", true))))
                .isEqualTo(new Requests.PathWatch("/c2", true));
    }

    @Test
    void booleanIsTrueForAnyNonZeroByte() {
        byte[] bytes = zk(new GetDataRequest("/d", true));
        bytes[bytes.length - 1] = 7;
        assertThat(((Requests.PathWatch) decode(OpCode.GET_DATA, bytes)).watch()).isTrue();
    }

    @Test
    void setData() {
        Requests.SetData s = (Requests.SetData) decode(OpCode.SET_DATA, zk(new SetDataRequest("/s", DATA, 7)));
        assertThat(s.path()).isEqualTo("/s");
        assertThat(s.data()).containsExactly(DATA);
        assertThat(s.version()).isEqualTo(7);
        assertThat(((Requests.SetData) decode(OpCode.SET_DATA, zk(new SetDataRequest("/s", null, -1)))).data())
                .isNull();
        assertThat(((Requests.SetData) decode(OpCode.SET_DATA, zk(new SetDataRequest("/s", new byte[0], -1))))
                .data()).isNotNull().isEmpty();
    }

    @Test
    void pathOnlyRequests() {
        assertThat(decode(OpCode.GET_ACL, zk(new GetACLRequest("/acl")))).isEqualTo(new Requests.PathOnly("/acl"));
        assertThat(decode(OpCode.SYNC, zk(new SyncRequest("/sync")))).isEqualTo(new Requests.PathOnly("/sync"));
        assertThat(decode(OpCode.GET_ALL_CHILDREN_NUMBER, zk(new GetAllChildrenNumberRequest("/n"))))
                .isEqualTo(new Requests.PathOnly("/n"));
        assertThat(decode(OpCode.GET_EPHEMERALS, zk(new GetEphemeralsRequest("/pre"))))
                .isEqualTo(new Requests.PathOnly("/pre"));
        assertThat(decode(OpCode.GET_EPHEMERALS, zk(new GetEphemeralsRequest(null))))
                .isEqualTo(new Requests.PathOnly(null));
        assertThat(decode(OpCode.DELETE_CONTAINER, zk(new DeleteContainerRequest("/c"))))
                .isEqualTo(new Requests.PathOnly("/c"));
    }

    @Test
    void setAcl() {
        assertThat(decode(OpCode.SET_ACL, zk(new SetACLRequest("/a", ACLS, 3))))
                .isEqualTo(new Requests.SetAcl("/a", OUR_ACLS, 3));
    }

    @Test
    void checkVersionDecodesInsideAMulti() {
        Requests.Multi m = (Requests.Multi) decode(OpCode.MULTI, multi(OpCode.CHECK, new CheckVersionRequest("/c", 9)));
        assertThat(m.ops()).containsExactly(new Requests.Op(OpCode.CHECK, new Requests.CheckVersion("/c", 9)));
    }

    @Test
    void standaloneCheckIsAnUnknownTypeWhateverItsBody() {
        // ZooKeeper 3.9.3+ (Request.isValid) refuses check outside a multi before reading the body: UNIMPLEMENTED.
        for (byte[] body : List.of(zk(new CheckVersionRequest("/c", 9)), new byte[0], new byte[]{1, 2})) {
            assertThatThrownBy(() -> Requests.decode(OpCode.CHECK, new JuteReader(body)))
                    .isInstanceOfSatisfying(Requests.UnknownOpException.class,
                            e -> assertThat(e.type()).isEqualTo(OpCode.CHECK));
        }
    }

    @Test
    void multiWithEveryWriteOpFromTheJavaClient() throws Exception {
        MultiOperationRecord rec = new MultiOperationRecord(List.of(
                Op.create("/a", DATA, ACLS, CreateMode.PERSISTENT),
                Op.create("/a/e", null, ACLS, CreateMode.EPHEMERAL_SEQUENTIAL),
                Op.create("/c", new byte[0], ACLS, CreateMode.CONTAINER),
                Op.create("/t", DATA, ACLS, CreateMode.PERSISTENT_WITH_TTL, 5000),
                Op.delete("/d", 4),
                Op.setData("/s", null, -1),
                Op.check("/k", 2)));
        Requests.Multi m = (Requests.Multi) decode(OpCode.MULTI, zk(rec));
        assertThat(m.ops()).extracting(Requests.Op::type).containsExactly(
                OpCode.CREATE, OpCode.CREATE, OpCode.CREATE_CONTAINER, OpCode.CREATE_TTL, OpCode.DELETE,
                OpCode.SET_DATA, OpCode.CHECK);
        Requests.Create a = (Requests.Create) m.ops().get(0).body();
        assertThat(a.path()).isEqualTo("/a");
        assertThat(a.data()).containsExactly(DATA);
        assertThat(a.acl()).isEqualTo(OUR_ACLS);
        assertThat(a.flags()).isZero();
        assertThat(a.ttl()).isEqualTo(-1);
        Requests.Create e = (Requests.Create) m.ops().get(1).body();
        assertThat(e.data()).isNull();
        assertThat(e.flags()).isEqualTo(3);
        Requests.Create c = (Requests.Create) m.ops().get(2).body();
        assertThat(c.data()).isNotNull().isEmpty();
        assertThat(c.flags()).isEqualTo(4);
        Requests.Create t = (Requests.Create) m.ops().get(3).body();
        assertThat(t.flags()).isEqualTo(5);
        assertThat(t.ttl()).isEqualTo(5000);
        assertThat(m.ops().get(4).body()).isEqualTo(new Requests.Delete("/d", 4));
        Requests.SetData s = (Requests.SetData) m.ops().get(5).body();
        assertThat(s.path()).isEqualTo("/s");
        assertThat(s.data()).isNull();
        assertThat(s.version()).isEqualTo(-1);
        assertThat(m.ops().get(6).body()).isEqualTo(new Requests.CheckVersion("/k", 2));
    }

    @Test
    void multiCreate2FromHandBuiltRecord() {
        Requests.Multi m = (Requests.Multi) decode(OpCode.MULTI,
                multi(OpCode.CREATE2, new CreateRequest("/two", DATA, ACLS, 2)));
        assertThat(m.ops()).hasSize(1);
        assertThat(m.ops().get(0).type()).isEqualTo(OpCode.CREATE2);
        assertThat(((Requests.Create) m.ops().get(0).body()).flags()).isEqualTo(2);
    }

    @Test
    void emptyMultiIsJustTheTerminator() {
        byte[] bytes = zk(new MultiOperationRecord());
        assertThat(bytes).hasSize(9);
        assertThat(((Requests.Multi) decode(OpCode.MULTI, bytes)).ops()).isEmpty();
        assertThat(((Requests.Multi) decode(OpCode.MULTI_READ, bytes)).ops()).isEmpty();
    }

    @Test
    void multiStopsAtTheTerminatorWhateverItsType() {
        // The done flag ends the record; ZooKeeper ignores the terminator's type and err.
        byte[] bytes = Jute.zkWith(oa -> {
            try {
                new org.apache.zookeeper.proto.MultiHeader(OpCode.DELETE, false, -1).serialize(oa, "h");
                new DeleteRequest("/x", -1).serialize(oa, "r");
                new org.apache.zookeeper.proto.MultiHeader(12345, true, 0).serialize(oa, "h");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(((Requests.Multi) decode(OpCode.MULTI, bytes)).ops()).hasSize(1);
    }

    @Test
    void multiWithoutTerminatorIsMalformed() {
        byte[] full = multi(OpCode.DELETE, new DeleteRequest("/x", -1));
        byte[] cut = Arrays.copyOf(full, full.length - 9);
        assertThatThrownBy(() -> Requests.decode(OpCode.MULTI, new JuteReader(cut)))
                .isInstanceOf(MalformedRecordException.class);
    }

    @Test
    void multiRejectsOpTypesThatAreNotWrites() {
        for (int type : new int[]{OpCode.SET_ACL, OpCode.EXISTS, OpCode.GET_DATA, OpCode.GET_CHILDREN, OpCode.GET_CHILDREN2,
            OpCode.SYNC, OpCode.MULTI, OpCode.PING, OpCode.NOTIFICATION, 999}) {
            Record rec = type == OpCode.SET_ACL ? new SetACLRequest("/a", ACLS, -1) : new GetDataRequest("/a", false);
            byte[] bytes = multi(OpCode.DELETE, new DeleteRequest("/ok", -1), type, rec);
            assertThatThrownBy(() -> Requests.decode(OpCode.MULTI, new JuteReader(bytes)))
                    .isInstanceOf(MalformedRecordException.class);
            assertZooKeeperRejects(bytes);
        }
    }

    @Test
    void multiReadWithReadOps() throws Exception {
        byte[] bytes = zk(new MultiOperationRecord(List.of(Op.getData("/d"), Op.getChildren("/c"))));
        Requests.Multi m = (Requests.Multi) decode(OpCode.MULTI_READ, bytes);
        assertThat(m.ops()).containsExactly(new Requests.Op(OpCode.GET_DATA, new Requests.PathWatch("/d", false)),
                new Requests.Op(OpCode.GET_CHILDREN, new Requests.PathWatch("/c", false)));
    }

    @Test
    void multiReadRejectsOtherOps() {
        for (int type : new int[]{OpCode.CREATE, OpCode.DELETE, OpCode.SET_DATA, OpCode.CHECK, OpCode.EXISTS,
            OpCode.GET_CHILDREN2}) {
            Record rec = switch (type) {
                case OpCode.CREATE -> new CreateRequest("/a", null, ACLS, 0);
                case OpCode.DELETE -> new DeleteRequest("/a", -1);
                case OpCode.SET_DATA -> new SetDataRequest("/a", null, -1);
                case OpCode.CHECK -> new CheckVersionRequest("/a", -1);
                default -> new GetDataRequest("/a", false);
            };
            byte[] bytes = multi(OpCode.GET_DATA, new GetDataRequest("/ok", false), type, rec);
            assertThatThrownBy(() -> Requests.decode(OpCode.MULTI_READ, new JuteReader(bytes)))
                    .isInstanceOf(MalformedRecordException.class);
        }
    }

    /**
     * Create sub-ops of a multi, every opcode against every flag value, compared with what ZooKeeper's own
     * MultiOperationRecord makes of them: refused (→ MARSHALLINGERROR) or accepted with which op type and flags.
     */
    @Test
    void multiCreateFlagsMatchZooKeeper() {
        List<String> mismatches = new ArrayList<>();
        for (int type : new int[]{OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER, OpCode.CREATE_TTL}) {
            for (int flags = -2; flags <= 8; flags++) {
                Record rec = type == OpCode.CREATE_TTL ? new CreateTTLRequest("/f", DATA, ACLS, flags, 100)
                        : new CreateRequest("/f", DATA, ACLS, flags);
                byte[] bytes = multi(type, rec);
                String theirs = zooKeeperView(bytes);
                String ours;
                try {
                    Requests.Multi m = (Requests.Multi) Requests.decode(OpCode.MULTI, new JuteReader(bytes));
                    Requests.Create c = (Requests.Create) m.ops().get(0).body();
                    ours = "type " + m.ops().get(0).type() + " flags " + c.flags()
                            + (m.ops().get(0).type() == OpCode.CREATE_TTL ? " ttl " + c.ttl() : "");
                    assertThat(c.path()).isEqualTo("/f");
                    assertThat(c.data()).containsExactly(DATA);
                    if (m.ops().get(0).type() != OpCode.CREATE_TTL) {
                        assertThat(c.ttl()).as("non-TTL creates carry no ttl").isEqualTo(-1);
                    }
                } catch (MalformedRecordException e) {
                    ours = "refused";
                }
                if (!ours.equals(theirs)) {
                    mismatches.add("op " + type + " flags " + flags + ": ZooKeeper " + theirs + ", ours " + ours);
                }
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void invalidCreateFlagsInMultiAreMalformed() {
        for (int flags : new int[]{-1, 7, 100}) {
            byte[] bytes = multi(OpCode.CREATE, new CreateRequest("/f", null, ACLS, flags));
            assertThatThrownBy(() -> Requests.decode(OpCode.MULTI, new JuteReader(bytes)))
                    .isInstanceOf(MalformedRecordException.class)
                    .hasMessageContaining("flags");
        }
    }

    private static String zooKeeperView(byte[] bytes) {
        MultiOperationRecord rec = new MultiOperationRecord();
        try {
            rec.deserialize(org.apache.jute.BinaryInputArchive.getArchive(new java.io.ByteArrayInputStream(bytes)),
                    "m");
        } catch (java.io.IOException e) {
            return "refused";
        }
        Op op = rec.iterator().next();
        Record r = op.toRequestRecord();
        if (r instanceof CreateTTLRequest t) {
            return "type " + op.getType() + " flags " + t.getFlags() + " ttl " + t.getTtl();
        }
        return "type " + op.getType() + " flags " + ((CreateRequest) r).getFlags();
    }

    private static void assertZooKeeperRejects(byte[] bytes) {
        assertThat(zooKeeperView(bytes)).isEqualTo("refused");
    }

    @Test
    void setWatches() {
        SetWatches sw = new SetWatches(0x1234_5678_9abcL, List.of("/d1", "/d2"), List.of("/e"), List.of());
        assertThat(decode(OpCode.SET_WATCHES, zk(sw))).isEqualTo(new Requests.SetWatches(0x1234_5678_9abcL,
                List.of("/d1", "/d2"), List.of("/e"), List.of(), List.of(), List.of()));
    }

    @Test
    void setWatchesWithNullLists() {
        Requests.SetWatches sw = (Requests.SetWatches) decode(OpCode.SET_WATCHES,
                zk(new SetWatches(5, null, null, null)));
        assertThat(sw.relativeZxid()).isEqualTo(5);
        assertThat(sw.data()).isNull();
        assertThat(sw.exist()).isNull();
        assertThat(sw.child()).isNull();
    }

    @Test
    void setWatches2() {
        SetWatches2 sw = new SetWatches2(-1L, List.of("/d"), List.of("/e1", "/e2"), List.of("/c"),
                List.of("/p"), List.of("/r1", "/r2", "/r3"));
        assertThat(decode(OpCode.SET_WATCHES2, zk(sw))).isEqualTo(new Requests.SetWatches(-1L, List.of("/d"),
                List.of("/e1", "/e2"), List.of("/c"), List.of("/p"), List.of("/r1", "/r2", "/r3")));
    }

    @Test
    void addWatch() {
        assertThat(decode(OpCode.ADD_WATCH, zk(new AddWatchRequest("/w", 1))))
                .isEqualTo(new Requests.AddWatch("/w", 1));
        assertThat(decode(OpCode.ADD_WATCH, zk(new AddWatchRequest("/w", 0))))
                .isEqualTo(new Requests.AddWatch("/w", 0));
    }

    @Test
    void checkAndRemoveWatches() {
        assertThat(decode(OpCode.CHECK_WATCHES, zk(new CheckWatchesRequest("/c", 2))))
                .isEqualTo(new Requests.WatchType("/c", 2));
        assertThat(decode(OpCode.REMOVE_WATCHES, zk(new RemoveWatchesRequest("/r", 5))))
                .isEqualTo(new Requests.WatchType("/r", 5));
    }

    @Test
    void auth() {
        byte[] secret = "user:password".getBytes(StandardCharsets.UTF_8);
        Requests.Auth a = (Requests.Auth) decode(OpCode.AUTH, zk(new AuthPacket(0, "digest", secret)));
        assertThat(a.type()).isZero();
        assertThat(a.scheme()).isEqualTo("digest");
        assertThat(a.auth()).containsExactly(secret);
        assertThat(((Requests.Auth) decode(OpCode.AUTH, zk(new AuthPacket(0, "x", null)))).auth()).isNull();
    }

    @Test
    void sasl() {
        assertThat(((Requests.Sasl) decode(OpCode.SASL, zk(new GetSASLRequest(DATA)))).token())
                .containsExactly(DATA);
        assertThat(((Requests.Sasl) decode(OpCode.SASL, zk(new GetSASLRequest(null)))).token()).isNull();
    }

    @Test
    void reconfigDecodesSoItCanBeAnsweredReconfigDisabled() {
        assertThat(decode(OpCode.RECONFIG, zk(new ReconfigRequest("server.1=a:1:2", null, "", 0x1_0000_0002L))))
                .isEqualTo(new Requests.Reconfig("server.1=a:1:2", null, "", 0x1_0000_0002L));
    }

    @Test
    void requestsWithoutBody() {
        for (int type : new int[]{OpCode.PING, OpCode.CLOSE_SESSION, OpCode.WHO_AM_I}) {
            assertThat(decode(type, new byte[0])).isInstanceOf(Requests.Empty.class);
        }
    }

    @Test
    void unknownTypes() {
        for (int type : new int[]{OpCode.NOTIFICATION, OpCode.CHECK, 10, 23, 99, 108, -1, -10, -12, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> Requests.decode(type, new JuteReader(new byte[64])))
                    .isInstanceOfSatisfying(Requests.UnknownOpException.class, e -> assertThat(e.type()).isEqualTo(type));
        }
    }

    /** Every proper prefix of every request body is truncated: MalformedRecordException, nothing else. */
    @Test
    void everyTruncationIsMalformed() throws Exception {
        Object[][] cases = {
                {OpCode.CREATE, zk(new CreateRequest("/p", DATA, ACLS, 1))},
                {OpCode.CREATE_TTL, zk(new CreateTTLRequest("/p", DATA, ACLS, 5, 10))},
                {OpCode.DELETE, zk(new DeleteRequest("/p", 1))},
                {OpCode.EXISTS, zk(new ExistsRequest("/p", true))},
                {OpCode.SET_DATA, zk(new SetDataRequest("/p", DATA, 1))},
                {OpCode.GET_ACL, zk(new GetACLRequest("/p"))},
                {OpCode.SET_ACL, zk(new SetACLRequest("/p", ACLS, 1))},
                {OpCode.MULTI, zk(new MultiOperationRecord(List.of(Op.create("/a", DATA, ACLS, 0),
                        Op.check("/a", 0))))},
                {OpCode.MULTI_READ, zk(new MultiOperationRecord(List.of(Op.getData("/a"))))},
                {OpCode.SET_WATCHES, zk(new SetWatches(1, List.of("/a"), List.of("/b"), List.of("/c")))},
                {OpCode.SET_WATCHES2, zk(new SetWatches2(1, List.of("/a"), List.of(), List.of(), List.of("/p"),
                        List.of("/r")))},
                {OpCode.ADD_WATCH, zk(new AddWatchRequest("/p", 1))},
                {OpCode.REMOVE_WATCHES, zk(new RemoveWatchesRequest("/p", 3))},
                {OpCode.AUTH, zk(new AuthPacket(0, "digest", DATA))},
                {OpCode.SASL, zk(new GetSASLRequest(DATA))},
                {OpCode.RECONFIG, zk(new ReconfigRequest("a", "b", "c", 1))},
        };
        for (Object[] c : cases) {
            int type = (Integer) c[0];
            byte[] full = (byte[]) c[1];
            decode(type, full);
            for (int len = 0; len < full.length; len++) {
                byte[] cut = Arrays.copyOf(full, len);
                int l = len;
                assertThatThrownBy(() -> Requests.decode(type, new JuteReader(cut)))
                        .as("type %d cut to %d of %d bytes", type, l, full.length)
                        .isInstanceOf(MalformedRecordException.class);
            }
        }
    }
}
