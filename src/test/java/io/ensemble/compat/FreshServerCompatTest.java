package io.ensemble.compat;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.ensemble.compat.CompatTestBase.assertKeeperError;
import static io.ensemble.compat.CompatTestBase.bytes;
import static io.ensemble.compat.CompatTestBase.str;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour only visible on a brand-new server: zxid numbering from the first session, the initial tree's Stats
 * and the root's cversion arithmetic (protocol sections 2.9, 8.2, 8.3, 8.5). One server per test. In an ensemble
 * the zxids carry the elected epoch in their high 32 bits ({@link TestServer#zxid}); the counting is the same.
 */
@Timeout(180)
class FreshServerCompatTest {
    private static final List<ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;

    @TempDir
    Path dataDir;

    private TestServer server;
    private ZooKeeper zk;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dataDir);
        zk = server.connect();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Stat stat(long czxid, long mzxid, long ctime, long mtime, int version, int cversion,
                             int aversion, long owner, int dataLength, int numChildren, long pzxid) {
        return new Stat(czxid, mzxid, ctime, mtime, version, cversion, aversion, owner, dataLength, numChildren,
                pzxid);
    }

    @Test
    void firstSessionTakesZxidOneSoTheFirstNodeHasCzxidTwo() throws Exception {
        Stat stat = new Stat();
        zk.create("/a", bytes("x"), OPEN, CreateMode.PERSISTENT, stat);
        assertThat(stat.getCzxid()).isEqualTo(server.zxid(2));
        assertThat(stat.getMzxid()).isEqualTo(server.zxid(2));
        assertThat(stat.getPzxid()).isEqualTo(server.zxid(2));
    }

    @Test
    void everyWriteSessionCreateAndCloseConsumesOneZxidEvenWhenItFails() throws Exception {
        Stat a = new Stat();
        zk.create("/a", null, OPEN, CreateMode.PERSISTENT, a);
        assertThat(a.getCzxid()).isEqualTo(server.zxid(2));

        assertKeeperError(KeeperException.Code.NODEEXISTS, () -> zk.create("/a", null, OPEN, CreateMode.PERSISTENT)); // 3
        assertKeeperError(KeeperException.Code.NONODE, () -> zk.setData("/missing", null, -1));                   // 4
        assertKeeperError(KeeperException.Code.BADVERSION, () -> zk.delete("/a", 7));                            // 5
        // reads, sync and watch registration consume nothing
        zk.getData("/a", false, null);
        zk.exists("/missing", true);
        zk.getChildren("/", false);
        zk.sync("/a");
        Stat b = new Stat();
        zk.create("/b", null, OPEN, CreateMode.PERSISTENT, b);
        assertThat(b.getCzxid()).isEqualTo(server.zxid(6));

        assertKeeperError(KeeperException.Code.NONODE, () -> zk.multi(List.of(
                Op.create("/c1", null, OPEN, CreateMode.PERSISTENT),
                Op.check("/missing", -1))));                                                                       // 7
        Stat c = new Stat();
        zk.create("/c", null, OPEN, CreateMode.PERSISTENT, c);
        assertThat(c.getCzxid()).as("a failed multi consumes exactly one zxid").isEqualTo(server.zxid(8));

        ZooKeeper other = server.connect();                                                                        // 9
        other.close();                                                                                             // 10
        Stat d = new Stat();
        zk.create("/d", null, OPEN, CreateMode.PERSISTENT, d);
        assertThat(d.getCzxid()).as("createSession and closeSession consume one zxid each")
                .isEqualTo(server.zxid(11));

        Stat acl = zk.setACL("/d", OPEN, 0);                                                                       // 12
        assertThat(acl.getMzxid()).as("setACL does not change mzxid").isEqualTo(server.zxid(11));
        Stat set = zk.setData("/d", bytes("x"), -1);                                                                // 13
        assertThat(set.getMzxid()).isEqualTo(server.zxid(13));
        assertThat(set.getCzxid()).isEqualTo(server.zxid(11));
    }

    @Test
    void closeSessionDeletesAllEphemeralsInOneTransaction() throws Exception {
        zk.create("/p", null, OPEN, CreateMode.PERSISTENT);                      // 2
        ZooKeeper owner = server.connect();                                      // 3
        owner.create("/p/e1", null, OPEN, CreateMode.EPHEMERAL);                 // 4
        owner.create("/p/e2", null, OPEN, CreateMode.EPHEMERAL);                 // 5
        owner.create("/p/e3", null, OPEN, CreateMode.EPHEMERAL_SEQUENTIAL);      // 6
        owner.close();                                                           // 7: one txn for all three
        Stat parent = zk.exists("/p", false);
        assertThat(parent.getNumChildren()).isZero();
        assertThat(parent.getPzxid()).isEqualTo(server.zxid(7));
        assertThat(parent.getCversion()).isEqualTo(6);
        Stat next = new Stat();
        zk.create("/q", null, OPEN, CreateMode.PERSISTENT, next);
        assertThat(next.getCzxid()).isEqualTo(server.zxid(8));
    }

    @Test
    void sessionExpiryIsOneTransaction() throws Exception {
        zk.create("/p", null, OPEN, CreateMode.PERSISTENT);                      // 2
        EventLog log = new EventLog();
        try (RawZkConnection raw = RawZkConnection.connectNew(server.port(), 2000)) { // 3
            for (String name : List.of("/p/a", "/p/b")) {                        // 4, 5
                assertThat(raw.call(1, new org.apache.zookeeper.proto.CreateRequest(name, null, OPEN, 1),
                        new org.apache.zookeeper.proto.CreateResponse()).getErr()).isZero();
            }
            zk.exists("/p/b", log);
            log.awaitEvent(org.apache.zookeeper.Watcher.Event.EventType.NodeDeleted, "/p/b");  // expiry: 6
        }
        Stat parent = zk.exists("/p", false);
        assertThat(parent.getPzxid()).isEqualTo(server.zxid(6));
        Stat next = new Stat();
        zk.create("/q", null, OPEN, CreateMode.PERSISTENT, next);
        assertThat(next.getCzxid()).isEqualTo(server.zxid(7));
    }

    @Test
    void initialTreeHasExactStats() throws Exception {
        assertThat(zk.exists("/", false)).isEqualTo(stat(0, 0, 0, 0, 0, -1, 0, 0, 0, 1, 0));
        assertThat(zk.exists("/zookeeper", false)).isEqualTo(stat(0, 0, 0, 0, 0, -2, 0, 0, 0, 2, 0));
        assertThat(zk.exists("/zookeeper/quota", false)).isEqualTo(stat(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(zk.getData("/", false, null)).isNotNull().isEmpty();
        assertThat(zk.getChildren("/", false)).containsExactly("zookeeper");
        assertThat(zk.getChildren("/zookeeper", false)).containsExactlyInAnyOrder("quota", "config");
    }

    @Test
    void configNodeIsEmptyStandaloneAndHoldsTheStaticMembershipInAnEnsemble() throws Exception {
        if (!TestServer.ENSEMBLE) {
            assertThat(zk.exists("/zookeeper/config", false)).isEqualTo(stat(0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0));
            return;
        }
        // QuorumPeerMain calls ZKDatabase.initConfigInZKDatabase(quorumVerifier) on every server of an ensemble
        // (reconfigEnabled or not; a learner does it again after a SNAP): setData(CONFIG_NODE, qv.toString(), -1,
        // qv.getVersion(), now), i.e. version -1, mzxid = the config version (0 for a static zoo.cfg), mtime = now.
        // QuorumServer.toString() is host:quorumPort:electionPort:participant[;clientHost:clientPort], the client
        // part only when the server.N line had one (here ";clientPort", read as 0.0.0.0:clientPort).
        StringBuilder membership = new StringBuilder();
        for (io.ensemble.config.PeerSpec p : server.peers()) {
            membership.append("server.").append(p.id()).append('=').append(p.host())
                    .append(':').append(p.quorumPort()).append(':').append(p.electionPort())
                    .append(p.observer() ? ":observer" : ":participant")
                    .append(";0.0.0.0:").append(p.clientPort()).append('\n');
        }
        membership.append("version=0");
        Stat stat = new Stat();
        byte[] data = zk.getConfig(false, stat);
        assertThat(str(data)).as("getConfig / zkCli config on a server of an ensemble")
                .isEqualTo(membership.toString());
        assertThat(stat).isEqualTo(stat(0, 0, 0, stat.getMtime(), -1, 0, -1, 0, data.length, 0, 0));
        assertThat(stat.getMtime()).as("set when the server started").isPositive();
    }

    @Test
    void allChildrenNumberOfRootOnFreshServerIsThree() throws Exception {
        assertThat(zk.getAllChildrenNumber("/")).isEqualTo(3);
        assertThat(zk.getAllChildrenNumber("/zookeeper")).isEqualTo(2);
        zk.create("/a", null, OPEN, CreateMode.PERSISTENT);
        zk.create("/a/b", null, OPEN, CreateMode.PERSISTENT);
        assertThat(zk.getAllChildrenNumber("/")).isEqualTo(5);
    }

    @Test
    void rootCversionCountsCreationsAndDeletionsFromMinusOne() throws Exception {
        Stat a = new Stat();
        zk.create("/a", null, OPEN, CreateMode.PERSISTENT, a);
        Stat rootAfterCreate = zk.exists("/", false);
        assertThat(rootAfterCreate.getCversion()).isZero();
        assertThat(rootAfterCreate.getNumChildren()).isEqualTo(2);
        assertThat(rootAfterCreate.getPzxid()).isEqualTo(a.getCzxid());
        assertThat(rootAfterCreate.getMzxid()).as("children do not change the parent's mzxid").isZero();

        zk.delete("/a", -1);
        Stat rootAfterDelete = zk.exists("/", false);
        assertThat(rootAfterDelete.getCversion()).isEqualTo(1);
        assertThat(rootAfterDelete.getNumChildren()).isEqualTo(1);
        assertThat(rootAfterDelete.getPzxid()).isEqualTo(a.getCzxid() + 1);
        assertThat(rootAfterDelete.getVersion()).isZero();

        // one child creation so far under "/": the next sequence number is 1
        assertThat(zk.create("/s-", null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)).isEqualTo("/s-0000000001");
        assertThat(zk.exists("/", false).getCversion()).isEqualTo(2);
    }

    @Test
    void firstSequentialChildOfRootIsNumberZero() throws Exception {
        // /zookeeper was not "created" under "/", so the root's creation counter starts at 0
        assertThat(zk.create("/s-", null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)).isEqualTo("/s-0000000000");
    }
}
