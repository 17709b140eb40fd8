package io.ensemble.compat;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** /zookeeper, /zookeeper/quota, /zookeeper/config: protocol sections 8.3 and 11.20. */
class SpecialNodesCompatTest extends CompatTestBase {

    @Test
    void systemNodesExistAndAreListed() throws Exception {
        assertThat(zk.exists("/zookeeper", false)).isNotNull();
        assertThat(zk.exists("/zookeeper/quota", false)).isNotNull();
        assertThat(zk.exists("/zookeeper/config", false)).isNotNull();
        assertThat(zk.getChildren("/", false)).contains("zookeeper");
        assertThat(zk.getChildren("/zookeeper", false)).containsExactlyInAnyOrder("quota", "config");
        assertThat(zk.getData("/zookeeper", false, null)).isNotNull().isEmpty();
        assertThat(zk.getData("/zookeeper/quota", false, null)).isNotNull().isEmpty();
    }

    @Test
    void configNodeIsWorldReadableOnlyAndReadableThroughGetConfig() throws Exception {
        Stat stat = new Stat();
        byte[] config = zk.getConfig(false, stat);
        assertThat(config).isNotNull();
        if (!TestServer.ENSEMBLE) {
            // an ensemble's holds its membership: FreshServerCompatTest.configNodeIsEmptyStandalone...InAnEnsemble
            assertThat(config).as("standalone config data is empty").isEmpty();
        }
        assertThat(stat).isEqualTo(zk.exists("/zookeeper/config", false));
        assertThat(stat.getAversion()).isEqualTo(-1);
        assertThat(zk.getACL("/zookeeper/config", new Stat()))
                .containsExactly(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        assertKeeperError(Code.NOAUTH, () -> zk.setData("/zookeeper/config", bytes("x"), -1));
        assertKeeperError(Code.NOAUTH, () -> zk.create("/zookeeper/config/x", null, OPEN, CreateMode.PERSISTENT));
        assertThat(zk.getACL("/zookeeper", new Stat())).containsExactlyElementsOf(ZooDefs.Ids.OPEN_ACL_UNSAFE);
    }

    @Test
    void systemNodesCannotBeDeleted() throws Exception {
        assertKeeperError(Code.BADARGUMENTS, () -> zk.delete("/zookeeper", -1));
        assertKeeperError(Code.BADARGUMENTS, () -> zk.delete("/zookeeper/quota", -1));
        assertKeeperError(Code.BADARGUMENTS, () -> zk.delete("/zookeeper/config", -1));
        assertThat(zk.exists("/zookeeper/config", false)).isNotNull();
    }

    @Test
    void nodesMayBeCreatedUnderZookeeperQuota() throws Exception {
        String path = "/zookeeper/quota" + root;
        zk.create(path, bytes("q"), OPEN, CreateMode.PERSISTENT);
        assertThat(str(zk.getData(path, false, null))).isEqualTo("q");
        zk.delete(path, -1);
        assertThat(zk.exists(path, false)).isNull();
    }

    @Test
    void reconfigIsDisabled() throws Exception {
        try (org.apache.zookeeper.admin.ZooKeeperAdmin admin = new org.apache.zookeeper.admin.ZooKeeperAdmin(
                server.connectString(), TestServer.SESSION_TIMEOUT, event -> { })) {
            assertKeeperError(Code.RECONFIGDISABLED, () -> admin.reconfigure(null, null, "server.1=127.0.0.1:2888:3888",
                    -1, new Stat()));
        }
    }

    @Test
    void curatorStartsAgainstTheServerAndReadsTheConfigNode() throws Exception {
        // Curator's EnsembleTracker reads /zookeeper/config with a watch as soon as it connects (TestServer turns the
        // tracker off in ensemble mode: it would move the client off the follower)
        byte[] config = curator.getData().forPath("/zookeeper/config");
        assertThat(config).isNotNull();
        if (!TestServer.ENSEMBLE) {
            assertThat(config).as("standalone config data is empty").isEmpty();
        }
        assertThat(curator.getZookeeperClient().isConnected()).isTrue();
    }
}
