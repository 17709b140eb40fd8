package io.ensemble.compat;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
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

import static io.ensemble.compat.CompatTestBase.bytes;
import static io.ensemble.compat.CompatTestBase.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A standalone restart on the same port and data directory, with clients connected throughout: data, zxids,
 * sessions (with their ephemerals) and the clients' watches carry over (protocol sections 2.8, 11.7, 11.11, 11.18).
 */
@Timeout(180)
class RestartCompatTest {
    private static final List<ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;

    @TempDir
    Path dataDir;

    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dataDir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static long syncConnectedCount(EventLog log) {
        return log.all().stream()
                .filter(e -> e.getType() == EventType.None && e.getState() == KeeperState.SyncConnected).count();
    }

    @Test
    void dataZxidsSessionsAndWatchesSurviveARestart() throws Exception {
        EventLog state = new EventLog();
        ZooKeeper zk = server.connect(state);
        long sessionId = zk.getSessionId();
        zk.create("/keep", bytes("v1"), OPEN, CreateMode.PERSISTENT);
        zk.create("/keep/seq-", null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL);
        zk.create("/eph", null, OPEN, CreateMode.EPHEMERAL);
        Stat last = zk.setData("/keep", bytes("v2"), -1);
        EventLog watches = new EventLog();
        zk.getData("/keep", watches, null);
        zk.exists("/later", watches);

        server.restart();
        await().atMost(TestServer.TIMEOUT).until(() -> syncConnectedCount(state) >= 2);
        assertThat(state.hasState(KeeperState.Expired)).as("the session outlives the restart").isFalse();
        assertThat(zk.getSessionId()).isEqualTo(sessionId);

        Stat keep = new Stat();
        assertThat(str(zk.getData("/keep", false, keep))).isEqualTo("v2");
        assertThat(keep).as("the Stat is restored exactly").isEqualTo(last);
        assertThat(zk.exists("/eph", false).getEphemeralOwner()).isEqualTo(sessionId);
        assertThat(zk.create("/keep/seq-", null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL))
                .as("the sequence counter is persisted").isEqualTo("/keep/seq-0000000001");

        Stat fresh = new Stat();
        zk.create("/later", null, OPEN, CreateMode.PERSISTENT, fresh);
        assertThat(fresh.getCzxid()).as("zxids never go backwards").isGreaterThan(last.getMzxid());
        watches.awaitEvent(EventType.NodeCreated, "/later");
        zk.setData("/keep", bytes("v3"), -1);
        watches.awaitEvent(EventType.NodeDataChanged, "/keep");
    }

    @Test
    void closedSessionStaysDeadAfterARestart() throws Exception {
        ZooKeeper zk = server.connect();
        ZooKeeper closed = server.connect();
        long closedId = closed.getSessionId();
        byte[] closedPasswd = closed.getSessionPasswd();
        closed.create("/gone", null, OPEN, CreateMode.EPHEMERAL);
        closed.close();

        server.restart();
        await().atMost(TestServer.TIMEOUT).ignoreExceptions().until(() -> zk.exists("/", false) != null);
        assertThat(zk.exists("/gone", false)).isNull();
        EventLog log = new EventLog();
        server.resume(closedId, closedPasswd, log);
        log.awaitState(KeeperState.Expired);
    }

    @Test
    void orphanedSessionsExpireAndTtlsAndAclsStillApplyAfterARestart() throws Exception {
        ZooKeeper zk = server.connect();
        zk.create("/secret", bytes("s"), CompatTestBase.acls(new ACL(ZooDefs.Perms.ALL,
                new org.apache.zookeeper.data.Id("digest", "alice:AAAAAAAAAAAAAAAAAAAAAAAAAAA="))), CreateMode.PERSISTENT);
        zk.create("/ttl", null, OPEN, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 500);
        long orphan;
        try (RawZkConnection raw = RawZkConnection.connectNew(server.port(), 2000)) {
            orphan = raw.sessionId();
            assertThat(raw.call(1, new org.apache.zookeeper.proto.CreateRequest("/orphan-eph", null, OPEN, 1),
                    new org.apache.zookeeper.proto.CreateResponse()).getErr()).isZero();
        } // dropped without closeSession: only expiry removes the ephemeral

        server.restart();
        await().atMost(TestServer.TIMEOUT).ignoreExceptions().until(() -> zk.exists("/", false) != null);
        // the orphaned session was restored and then expires (nobody reconnects), taking its ephemeral along
        await().atMost(TestServer.TIMEOUT).until(() -> zk.exists("/orphan-eph", false) == null);
        await().atMost(TestServer.TIMEOUT).until(() -> zk.exists("/ttl", false) == null);
        CompatTestBase.assertKeeperError(org.apache.zookeeper.KeeperException.Code.NOAUTH,
                () -> zk.getData("/secret", false, null));
        ZooKeeper admin = server.connect();
        admin.addAuthInfo("digest", bytes("super:test"));
        assertThat(admin.getACL("/secret", new Stat())).containsExactly(new ACL(ZooDefs.Perms.ALL,
                new org.apache.zookeeper.data.Id("digest", "alice:AAAAAAAAAAAAAAAAAAAAAAAAAAA=")));
        assertThat(str(admin.getData("/secret", false, null))).isEqualTo("s");
        assertThat(orphan).isNotZero();
    }
}
