package io.ensemble.compat;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.CreateOptions;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** multi (14) and multiRead (22): protocol section 6. */
class MultiCompatTest extends CompatTestBase {

    private static int err(OpResult r) {
        assertThat(r).isInstanceOf(OpResult.ErrorResult.class);
        return ((OpResult.ErrorResult) r).getErr();
    }

    @Test
    void multiAppliesAllOpsAtomicallyWithOneZxidAndOneTime() throws Exception {
        zk.create(p("x"), bytes("x0"), OPEN, CreateMode.PERSISTENT);
        zk.create(p("y"), null, OPEN, CreateMode.PERSISTENT);

        List<OpResult> results = zk.multi(List.of(
                Op.create(p("a"), bytes("a"), OPEN, CreateMode.PERSISTENT),
                Op.create(p("a/b"), null, OPEN, CreateMode.PERSISTENT),   // sees the earlier op
                Op.setData(p("x"), bytes("x1"), 0),
                Op.check(p("x"), 1),                                       // sees the setData
                Op.delete(p("y"), 0),
                Op.create(p("s-"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL),
                Op.create(p("s-"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)));

        assertThat(results).hasSize(7);
        assertThat(results.get(0)).isEqualTo(new OpResult.CreateResult(p("a")));
        assertThat(((OpResult.CreateResult) results.get(0)).getStat()).as("opcode-1 create has no stat").isNull();
        assertThat(results.get(1)).isEqualTo(new OpResult.CreateResult(p("a/b")));
        assertThat(results.get(2)).isInstanceOf(OpResult.SetDataResult.class);
        Stat setStat = ((OpResult.SetDataResult) results.get(2)).getStat();
        assertThat(setStat.getVersion()).isEqualTo(1);
        assertThat(results.get(3)).isInstanceOf(OpResult.CheckResult.class);
        assertThat(results.get(4)).isInstanceOf(OpResult.DeleteResult.class);
        // counter: x, y, a created before (3 creations), then the two sequential creates in this multi
        assertThat(((OpResult.CreateResult) results.get(5)).getPath()).isEqualTo(p("s-0000000003"));
        assertThat(((OpResult.CreateResult) results.get(6)).getPath()).isEqualTo(p("s-0000000004"));

        Stat a = zk.exists(p("a"), false);
        Stat b = zk.exists(p("a/b"), false);
        Stat x = zk.exists(p("x"), false);
        assertThat(b.getCzxid()).isEqualTo(a.getCzxid());
        assertThat(x.getMzxid()).isEqualTo(a.getCzxid());
        assertThat(setStat.getMzxid()).isEqualTo(a.getCzxid());
        assertThat(b.getCtime()).isEqualTo(a.getCtime());
        assertThat(x.getMtime()).isEqualTo(a.getCtime());
        assertThat(a.getPzxid()).isEqualTo(a.getCzxid());
        assertThat(a.getNumChildren()).isEqualTo(1);
        assertThat(zk.exists(p("y"), false)).isNull();
        assertThat(zk.exists(root, false).getPzxid()).isEqualTo(a.getCzxid());
    }

    @Test
    void createWithOptionsInMultiUsesCreate2AndReturnsStat() throws Exception {
        List<OpResult> results = zk.multi(List.of(
                Op.create(p("c2"), bytes("abc"), CreateOptions.newBuilder(OPEN, CreateMode.PERSISTENT).build()),
                Op.create(p("ttl"), null, CreateOptions.newBuilder(OPEN, CreateMode.PERSISTENT_WITH_TTL)
                        .withTtl(3_600_000).build()),
                Op.create(p("cont"), null, OPEN, CreateMode.CONTAINER)));
        OpResult.CreateResult c2 = (OpResult.CreateResult) results.get(0);
        assertThat(c2.getPath()).isEqualTo(p("c2"));
        assertThat(c2.getStat()).isNotNull().isEqualTo(zk.exists(p("c2"), false));
        assertThat(c2.getStat().getDataLength()).isEqualTo(3);
        OpResult.CreateResult ttl = (OpResult.CreateResult) results.get(1);
        assertThat(ttl.getPath()).isEqualTo(p("ttl"));
        assertThat(ttl.getStat()).as("createTTL results come back as create2 with a Stat").isNotNull();
        assertThat(ttl.getStat().getEphemeralOwner()).isZero();
        OpResult.CreateResult cont = (OpResult.CreateResult) results.get(2);
        assertThat(cont.getPath()).isEqualTo(p("cont"));
        assertThat(cont.getStat()).as("createContainer results come back as create2 with a Stat").isNotNull();
    }

    @Test
    void failedMultiReportsZeroBeforeRealCodeAtAndMinusTwoAfterTheFailingOp() throws Exception {
        zk.create(p("x"), null, OPEN, CreateMode.PERSISTENT);
        KeeperException e = catchThrowableOfType(KeeperException.class, () -> zk.multi(List.of(
                Op.create(p("a"), null, OPEN, CreateMode.PERSISTENT),
                Op.setData(p("x"), bytes("new"), -1),
                Op.setData(p("x"), bytes("bad"), 5),
                Op.create(p("b"), null, OPEN, CreateMode.PERSISTENT),
                Op.delete(p("x"), -1))));

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(Code.BADVERSION);
        List<OpResult> results = e.getResults();
        assertThat(results).hasSize(5);
        assertThat(results).allMatch(r -> r instanceof OpResult.ErrorResult);
        assertThat(results.stream().map(MultiCompatTest::err).toList())
                .containsExactly(0, 0, Code.BADVERSION.intValue(), Code.RUNTIMEINCONSISTENCY.intValue(),
                        Code.RUNTIMEINCONSISTENCY.intValue());
    }

    @Test
    void failedMultiAppliesNothing() throws Exception {
        Stat x0 = new Stat();
        zk.create(p("x"), bytes("old"), OPEN, CreateMode.PERSISTENT, x0);
        Stat root0 = zk.exists(root, false);

        assertKeeperError(Code.NODEEXISTS, () -> zk.multi(List.of(
                Op.create(p("a"), null, OPEN, CreateMode.PERSISTENT),
                Op.setData(p("x"), bytes("new"), -1),
                Op.delete(p("x"), -1),
                Op.create(p("s-"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL),
                Op.create(root, null, OPEN, CreateMode.PERSISTENT))));

        assertThat(zk.exists(p("a"), false)).isNull();
        assertThat(str(zk.getData(p("x"), false, null))).isEqualTo("old");
        assertThat(zk.exists(p("x"), false)).isEqualTo(x0);
        assertThat(zk.getChildren(root, false)).containsExactly("x");
        assertThat(zk.exists(root, false)).as("parent stat untouched").isEqualTo(root0);
        // no sequence number was used up: x was creation #0, so the next is #1
        assertThat(zk.create(p("s-"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)).isEqualTo(p("s-0000000001"));
    }

    @Test
    void failedMultiFiresNoWatches() throws Exception {
        zk.create(p("x"), null, OPEN, CreateMode.PERSISTENT);
        EventLog log = new EventLog();
        ZooKeeper watcher = server.connect();
        watcher.getData(p("x"), log, null);
        watcher.exists(p("a"), log);
        watcher.getChildren(root, log);

        assertKeeperError(Code.NONODE, () -> zk.multi(List.of(
                Op.create(p("a"), null, OPEN, CreateMode.PERSISTENT),
                Op.setData(p("x"), bytes("v"), -1),
                Op.check(p("missing"), -1))));

        log.barrier(watcher);
        assertThat(log.describe()).isEmpty();
    }

    @Test
    void multiKeepsNullAndEmptyDataApart() throws Exception {
        zk.multi(List.of(
                Op.create(p("null"), null, OPEN, CreateMode.PERSISTENT),
                Op.create(p("empty"), new byte[0], OPEN, CreateMode.PERSISTENT),
                Op.create(p("set-null"), bytes("x"), OPEN, CreateMode.PERSISTENT),
                Op.setData(p("set-null"), null, 0)));
        assertThat(zk.getData(p("null"), false, null)).isNull();
        assertThat(zk.getData(p("empty"), false, null)).isNotNull().isEmpty();
        Stat stat = new Stat();
        assertThat(zk.getData(p("set-null"), false, stat)).isNull();
        assertThat(stat.getDataLength()).isZero();
        assertThat(stat.getVersion()).isEqualTo(1);
    }

    @Test
    void checkOpReportsNoNodeAndBadVersion() throws Exception {
        zk.create(p("x"), null, OPEN, CreateMode.PERSISTENT);
        assertThat(zk.multi(List.of(Op.check(p("x"), 0)))).hasSize(1).first().isInstanceOf(OpResult.CheckResult.class);
        assertThat(zk.multi(List.of(Op.check(p("x"), -1)))).hasSize(1);
        assertKeeperError(Code.BADVERSION, () -> zk.multi(List.of(Op.check(p("x"), 3))));
        assertKeeperError(Code.NONODE, () -> zk.multi(List.of(Op.check(p("missing"), -1))));
    }

    @Test
    void multiSeesEarlierOpsOfTheSameMulti() throws Exception {
        // delete then re-create in one multi; check after setData sees the bumped version
        zk.create(p("n"), bytes("1"), OPEN, CreateMode.PERSISTENT);
        List<OpResult> results = zk.multi(List.of(
                Op.delete(p("n"), 0),
                Op.create(p("n"), bytes("2"), OPEN, CreateMode.PERSISTENT),
                Op.setData(p("n"), bytes("3"), 0),
                Op.check(p("n"), 1),
                Op.create(p("n/child"), null, OPEN, CreateMode.EPHEMERAL)));
        assertThat(results).hasSize(5);
        Stat n = new Stat();
        assertThat(str(zk.getData(p("n"), false, n))).isEqualTo("3");
        assertThat(n.getVersion()).isEqualTo(1);
        assertThat(n.getNumChildren()).isEqualTo(1);
        assertKeeperError(Code.NOCHILDRENFOREPHEMERALS, () -> zk.multi(List.of(
                Op.create(p("e"), null, OPEN, CreateMode.EPHEMERAL),
                Op.create(p("e/x"), null, OPEN, CreateMode.PERSISTENT))));
        assertThat(zk.exists(p("e"), false)).isNull();
    }

    @Test
    void multiReadReturnsPerOpResultsAndErrorsWithoutThrowing() throws Exception {
        Stat x = new Stat();
        zk.create(p("x"), bytes("data"), OPEN, CreateMode.PERSISTENT, x);
        zk.create(p("x/c1"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("x/c2"), null, OPEN, CreateMode.PERSISTENT);
        x = zk.exists(p("x"), false);
        zk.create(p("nul"), null, OPEN, CreateMode.PERSISTENT);

        List<OpResult> results = zk.multi(List.of(
                Op.getData(p("x")),
                Op.getChildren(p("x")),
                Op.getData(p("missing")),
                Op.getChildren(p("missing")),
                Op.getData(p("nul"))));

        assertThat(results).hasSize(5);
        OpResult.GetDataResult data = (OpResult.GetDataResult) results.get(0);
        assertThat(str(data.getData())).isEqualTo("data");
        assertThat(data.getStat()).isEqualTo(x);
        OpResult.GetChildrenResult children = (OpResult.GetChildrenResult) results.get(1);
        assertThat(children.getChildren()).containsExactlyInAnyOrder("c1", "c2");
        assertThat(err(results.get(2))).isEqualTo(Code.NONODE.intValue());
        assertThat(err(results.get(3))).isEqualTo(Code.NONODE.intValue());
        assertThat(((OpResult.GetDataResult) results.get(4)).getData()).isNull();
    }

    @Test
    void multiReadReportsNoAuthPerOp() throws Exception {
        zk.create(p("secret"), bytes("s"), acls(new org.apache.zookeeper.data.ACL(
                org.apache.zookeeper.ZooDefs.Perms.ALL, new org.apache.zookeeper.data.Id("digest",
                "nobody:AAAAAAAAAAAAAAAAAAAAAAAAAAA="))), CreateMode.PERSISTENT);
        zk.create(p("open"), bytes("o"), OPEN, CreateMode.PERSISTENT);
        List<OpResult> results = zk.multi(List.of(Op.getData(p("secret")), Op.getData(p("open")),
                Op.getChildren(p("secret"))));
        assertThat(err(results.get(0))).isEqualTo(Code.NOAUTH.intValue());
        assertThat(str(((OpResult.GetDataResult) results.get(1)).getData())).isEqualTo("o");
        assertThat(err(results.get(2))).isEqualTo(Code.NOAUTH.intValue());
    }

    @Test
    void multiFiresEventsPerOpInOrderBeforeItsReply() throws Exception {
        EventLog log = new EventLog();
        ZooKeeper watcher = server.connect();
        watcher.exists(p("a"), log);
        watcher.exists(p("b"), log);
        watcher.getChildren(root, log);

        zk.multi(List.of(
                Op.create(p("a"), null, OPEN, CreateMode.PERSISTENT),
                Op.create(p("b"), null, OPEN, CreateMode.PERSISTENT)));

        log.barrier(watcher);
        assertThat(log.describe()).containsExactly(
                "NodeCreated " + p("a"),
                "NodeChildrenChanged " + root,
                "NodeCreated " + p("b"));
    }
}
