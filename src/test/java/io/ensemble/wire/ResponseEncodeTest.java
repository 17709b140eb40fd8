package io.ensemble.wire;

import org.apache.zookeeper.MultiResponse;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.proto.Create2Response;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.ErrorResponse;
import org.apache.zookeeper.proto.ExistsResponse;
import org.apache.zookeeper.proto.GetACLResponse;
import org.apache.zookeeper.proto.GetAllChildrenNumberResponse;
import org.apache.zookeeper.proto.GetChildren2Response;
import org.apache.zookeeper.proto.GetChildrenResponse;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.GetEphemeralsResponse;
import org.apache.zookeeper.proto.SetACLResponse;
import org.apache.zookeeper.proto.SetDataResponse;
import org.apache.zookeeper.proto.SetSASLResponse;
import org.apache.zookeeper.proto.SyncResponse;
import org.apache.zookeeper.proto.WatcherEvent;
import org.apache.zookeeper.proto.WhoAmIResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.ensemble.wire.Jute.distinctStat;
import static io.ensemble.wire.Jute.ours;
import static io.ensemble.wire.Jute.parse;
import static io.ensemble.wire.Jute.zk;
import static io.ensemble.wire.Jute.zkStat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Response bodies encoded here must be byte-for-byte what ZooKeeper's records encode, and ZooKeeper's records
 * (what the Java client uses) must read them back with every field intact and no byte left over.
 */
class ResponseEncodeTest {

    private static final Stat STAT = distinctStat(0);
    private static final byte[] DATA = {9, 8, 7, 0, (byte) 0xfe};

    @Test
    void statFieldsInWireOrder() {
        byte[] bytes = ours(new Responses.StatBody(STAT));
        assertThat(bytes).hasSize(68);
        org.apache.zookeeper.data.Stat s = parse(bytes, new ExistsResponse()).getStat();
        assertThat(s.getCzxid()).isEqualTo(STAT.czxid());
        assertThat(s.getMzxid()).isEqualTo(STAT.mzxid());
        assertThat(s.getCtime()).isEqualTo(STAT.ctime());
        assertThat(s.getMtime()).isEqualTo(STAT.mtime());
        assertThat(s.getVersion()).isEqualTo(STAT.version());
        assertThat(s.getCversion()).isEqualTo(STAT.cversion());
        assertThat(s.getAversion()).isEqualTo(STAT.aversion());
        assertThat(s.getEphemeralOwner()).isEqualTo(STAT.ephemeralOwner());
        assertThat(s.getDataLength()).isEqualTo(STAT.dataLength());
        assertThat(s.getNumChildren()).isEqualTo(STAT.numChildren());
        assertThat(s.getPzxid()).isEqualTo(STAT.pzxid());
        assertThat(bytes).isEqualTo(zk(zkStat(STAT)));
        assertThat(parse(bytes, new SetDataResponse()).getStat()).isEqualTo(zkStat(STAT));
        assertThat(parse(bytes, new SetACLResponse()).getStat()).isEqualTo(zkStat(STAT));
    }

    @Test
    void statReadBack() {
        assertThat(Stat.read(new JuteReader(zk(zkStat(STAT))))).isEqualTo(STAT);
    }

    @Test
    void getDataWithBytesNullAndEmpty() {
        GetDataResponse full = parse(ours(new Responses.DataBody(DATA, STAT)), new GetDataResponse());
        assertThat(full.getData()).containsExactly(DATA);
        assertThat(full.getStat()).isEqualTo(zkStat(STAT));

        byte[] nullBytes = ours(new Responses.DataBody(null, STAT));
        assertThat(nullBytes).startsWith(new byte[]{-1, -1, -1, -1});
        assertThat(parse(nullBytes, new GetDataResponse()).getData()).isNull();

        byte[] emptyBytes = ours(new Responses.DataBody(new byte[0], STAT));
        assertThat(emptyBytes).startsWith(new byte[]{0, 0, 0, 0});
        assertThat(parse(emptyBytes, new GetDataResponse()).getData()).isNotNull().isEmpty();

        assertThat(nullBytes).isEqualTo(zk(new GetDataResponse(null, zkStat(STAT))));
        assertThat(emptyBytes).isEqualTo(zk(new GetDataResponse(new byte[0], zkStat(STAT))));
    }

    @Test
    void createAndSyncPaths() {
        String path = "/a/é中/lock-0000000007";
        byte[] bytes = ours(new Responses.PathBody(path));
        assertThat(bytes).isEqualTo(zk(new CreateResponse(path)));
        assertThat(parse(bytes, new CreateResponse()).getPath()).isEqualTo(path);
        assertThat(parse(bytes, new SyncResponse()).getPath()).isEqualTo(path);
        assertThat(parse(ours(new Responses.PathBody(null)), new SyncResponse()).getPath()).isNull();
    }

    @Test
    void create2() {
        byte[] bytes = ours(new Responses.PathStatBody("/c", STAT));
        Create2Response r = parse(bytes, new Create2Response());
        assertThat(r.getPath()).isEqualTo("/c");
        assertThat(r.getStat()).isEqualTo(zkStat(STAT));
        assertThat(bytes).isEqualTo(zk(new Create2Response("/c", zkStat(STAT))));
    }

    @Test
    void childrenAndEphemerals() {
        List<String> names = List.of("a", "b-0000000001", "ü");
        byte[] bytes = ours(new Responses.StringsBody(names));
        assertThat(parse(bytes, new GetChildrenResponse()).getChildren()).isEqualTo(names);
        assertThat(parse(bytes, new GetEphemeralsResponse()).getEphemerals()).isEqualTo(names);
        assertThat(parse(ours(new Responses.StringsBody(List.of())), new GetChildrenResponse()).getChildren())
                .isNotNull().isEmpty();
        assertThat(bytes).isEqualTo(zk(new GetChildrenResponse(names)));
    }

    @Test
    void children2() {
        byte[] bytes = ours(new Responses.ChildrenStatBody(List.of("x", "y"), STAT));
        GetChildren2Response r = parse(bytes, new GetChildren2Response());
        assertThat(r.getChildren()).containsExactly("x", "y");
        assertThat(r.getStat()).isEqualTo(zkStat(STAT));
    }

    @Test
    void acl() {
        List<Acl> acl = List.of(new Acl(31, Id.ANYONE), new Acl(17, new Id("digest", "alice:x")),
                new Acl(1, new Id("ip", "127.0.0.1")));
        byte[] bytes = ours(new Responses.AclBody(acl, STAT));
        GetACLResponse r = parse(bytes, new GetACLResponse());
        assertThat(r.getAcl()).containsExactly(new ACL(31, ZooDefs.Ids.ANYONE_ID_UNSAFE),
                new ACL(17, new org.apache.zookeeper.data.Id("digest", "alice:x")),
                new ACL(1, new org.apache.zookeeper.data.Id("ip", "127.0.0.1")));
        assertThat(r.getStat()).isEqualTo(zkStat(STAT));
    }

    @Test
    void intBodies() {
        assertThat(parse(ours(new Responses.IntBody(12345)), new GetAllChildrenNumberResponse()).getTotalNumber())
                .isEqualTo(12345);
        byte[] addWatch = ours(new Responses.IntBody(0));
        assertThat(addWatch).containsExactly(0, 0, 0, 0);
        assertThat(parse(addWatch, new ErrorResponse()).getErr()).isZero();
    }

    @Test
    void saslToken() {
        assertThat(parse(ours(new Responses.BufferBody(DATA)), new SetSASLResponse()).getToken())
                .containsExactly(DATA);
        assertThat(parse(ours(new Responses.BufferBody(null)), new SetSASLResponse()).getToken()).isNull();
    }

    @Test
    void whoAmI() {
        byte[] bytes = ours(new Responses.WhoAmIBody(List.of(new Id("ip", "127.0.0.1"), new Id("digest", "bob"),
                new Id("super", ""))));
        WhoAmIResponse r = parse(bytes, new WhoAmIResponse());
        assertThat(r.getClientInfo()).containsExactly(new ClientInfo("ip", "127.0.0.1"),
                new ClientInfo("digest", "bob"), new ClientInfo("super", ""));
        assertThat(parse(ours(new Responses.WhoAmIBody(List.of())), new WhoAmIResponse()).getClientInfo())
                .isEmpty();
    }

    @Test
    void watcherEvent() {
        byte[] bytes = ours(new Responses.WatcherEventBody(4, "/w/x"));
        WatcherEvent e = parse(bytes, new WatcherEvent());
        assertThat(e.getType()).isEqualTo(4);
        assertThat(e.getState()).as("always SyncConnected").isEqualTo(3);
        assertThat(e.getPath()).isEqualTo("/w/x");
    }

    private static MultiResponse multi(List<Responses.OpResult> results) throws Exception {
        byte[] bytes = ours(new Responses.MultiBody(results));
        MultiResponse r = new MultiResponse();
        r.deserialize(org.apache.jute.BinaryInputArchive.getArchive(new java.io.ByteArrayInputStream(bytes)), "m");
        return r;
    }

    @Test
    void multiResponseWithEveryResultKind() throws Exception {
        Stat s1 = distinctStat(1);
        Stat s2 = distinctStat(2);
        Stat s3 = distinctStat(3);
        MultiResponse r = multi(List.of(
                new Responses.OpResult(OpCode.CREATE, 0, new Responses.PathBody("/a")),
                new Responses.OpResult(OpCode.CREATE2, 0, new Responses.PathStatBody("/b", s1)),
                new Responses.OpResult(OpCode.DELETE, 0, null),
                new Responses.OpResult(OpCode.SET_DATA, 0, new Responses.StatBody(s2)),
                new Responses.OpResult(OpCode.CHECK, 0, null),
                new Responses.OpResult(OpCode.GET_CHILDREN, 0, new Responses.StringsBody(List.of("k1", "k2"))),
                new Responses.OpResult(OpCode.GET_DATA, 0, new Responses.DataBody(null, s3)),
                new Responses.OpResult(OpCode.GET_DATA, 0, new Responses.DataBody(DATA, s3)),
                new Responses.OpResult(OpCode.ERROR, Err.NO_NODE, null)));
        List<OpResult> results = r.getResultList();
        assertThat(results).hasSize(9);
        assertThat(results.get(0)).isEqualTo(new OpResult.CreateResult("/a"));
        assertThat(((OpResult.CreateResult) results.get(0)).getStat()).isNull();
        assertThat(results.get(1)).isEqualTo(new OpResult.CreateResult("/b", zkStat(s1)));
        assertThat(results.get(2)).isInstanceOf(OpResult.DeleteResult.class);
        assertThat(results.get(3)).isEqualTo(new OpResult.SetDataResult(zkStat(s2)));
        assertThat(results.get(4)).isInstanceOf(OpResult.CheckResult.class);
        assertThat(((OpResult.GetChildrenResult) results.get(5)).getChildren()).containsExactly("k1", "k2");
        OpResult.GetDataResult nullData = (OpResult.GetDataResult) results.get(6);
        assertThat(nullData.getData()).isNull();
        assertThat(nullData.getStat()).isEqualTo(zkStat(s3));
        assertThat(((OpResult.GetDataResult) results.get(7)).getData()).containsExactly(DATA);
        assertThat(results.get(8)).isEqualTo(new OpResult.ErrorResult(Err.NO_NODE));
    }

    @Test
    void failedMultiLayout() throws Exception {
        MultiResponse r = multi(List.of(
                new Responses.OpResult(OpCode.ERROR, Err.OK, null),
                new Responses.OpResult(OpCode.ERROR, Err.BAD_VERSION, null),
                new Responses.OpResult(OpCode.ERROR, Err.RUNTIME_INCONSISTENCY, null)));
        assertThat(r.getResultList()).extracting(x -> ((OpResult.ErrorResult) x).getErr())
                .containsExactly(0, -103, -2);
        // Each error entry is MultiHeader{-1, false, err} + ErrorResponse{err}: the code appears twice.
        byte[] bytes = ours(new Responses.MultiBody(List.of(new Responses.OpResult(OpCode.ERROR, -103, null))));
        assertThat(bytes).containsExactly(
                -1, -1, -1, -1, 0, -1, -1, -1, -103, -1, -1, -1, -103,
                -1, -1, -1, -1, 1, -1, -1, -1, -1);
    }

    @Test
    void multiResponseBytesMatchZooKeeper() throws Exception {
        Stat s = distinctStat(5);
        MultiResponse theirs = new MultiResponse();
        theirs.add(new OpResult.CreateResult("/a"));
        theirs.add(new OpResult.CreateResult("/b", zkStat(s)));
        theirs.add(new OpResult.DeleteResult());
        theirs.add(new OpResult.SetDataResult(zkStat(s)));
        theirs.add(new OpResult.CheckResult());
        theirs.add(new OpResult.ErrorResult(-101));
        byte[] ours = ours(new Responses.MultiBody(List.of(
                new Responses.OpResult(OpCode.CREATE, 0, new Responses.PathBody("/a")),
                new Responses.OpResult(OpCode.CREATE2, 0, new Responses.PathStatBody("/b", s)),
                new Responses.OpResult(OpCode.DELETE, 0, null),
                new Responses.OpResult(OpCode.SET_DATA, 0, new Responses.StatBody(s)),
                new Responses.OpResult(OpCode.CHECK, 0, null),
                new Responses.OpResult(OpCode.ERROR, -101, null))));
        assertThat(ours).isEqualTo(zk(theirs));
    }

    @Test
    void emptyMultiResponse() throws Exception {
        assertThat(multi(new ArrayList<>()).getResultList()).isEmpty();
        assertThat(ours(new Responses.MultiBody(List.of()))).containsExactly(-1, -1, -1, -1, 1, -1, -1, -1, -1);
    }

    @Test
    void framesCarryTheirLength() {
        JuteWriter w = new JuteWriter(16);
        w.startFrame();
        new Responses.PathBody("/abc").write(w);
        w.endFrame();
        w.startFrame();
        w.endFrame();
        assertThat(w.toByteArray()).containsExactly(0, 0, 0, 8, 0, 0, 0, 4, '/', 'a', 'b', 'c', 0, 0, 0, 0);
    }
}
