package io.ensemble.compat;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One server (in ensemble mode one 3-server ensemble, see {@link TestServer}) per test class (fresh data directory),
 * a connected {@link ZooKeeper} ({@link #zk}, default watcher {@link #zkEvents}) and a started
 * {@link CuratorFramework}. Each test gets its own persistent root node {@link #root} so tests in one class do not
 * see each other's nodes.
 */
@Timeout(180)
abstract class CompatTestBase {
    static final List<ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;

    @TempDir
    static Path dataDir;

    static TestServer server;
    static ZooKeeper zk;
    static EventLog zkEvents;
    static CuratorFramework curator;

    /** "/ClassName-testMethod", created before each test. */
    String root;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestServer.start(dataDir);
        zkEvents = new EventLog();
        zk = server.connect(zkEvents);
        curator = server.curator();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @BeforeEach
    void createRoot(TestInfo info) throws Exception {
        root = "/" + getClass().getSimpleName() + "-" + info.getTestMethod().orElseThrow().getName();
        zk.create(root, bytes("root"), OPEN, CreateMode.PERSISTENT);
    }

    /** root + "/" + name. */
    String p(String name) {
        return root + "/" + name;
    }

    /** A mutable ACL list: the Java client calls contains(null) on it, which immutable lists reject. */
    static List<ACL> acls(ACL... entries) {
        return new java.util.ArrayList<>(java.util.Arrays.asList(entries));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Asserts that the call fails with a KeeperException carrying exactly {@code code}. */
    static void assertKeeperError(KeeperException.Code code, ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOf(KeeperException.class)
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((KeeperException) e).code())
                        .as("KeeperException code").isEqualTo(code));
    }
}
