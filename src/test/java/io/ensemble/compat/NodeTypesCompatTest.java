package io.ensemble.compat;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Ephemeral, sequential, container and TTL nodes (protocol sections 8.4, 8.5, 11.6, 11.24). */
class NodeTypesCompatTest extends CompatTestBase {

    @Test
    void ephemeralNodeIsOwnedByTheCreatingSession() throws Exception {
        Stat stat = new Stat();
        zk.create(p("e"), bytes("x"), OPEN, CreateMode.EPHEMERAL, stat);
        assertThat(stat.getEphemeralOwner()).isEqualTo(zk.getSessionId());
        assertThat(zk.exists(p("e"), false).getEphemeralOwner()).isEqualTo(zk.getSessionId());
        zk.create(p("p"), null, OPEN, CreateMode.PERSISTENT, stat);
        assertThat(stat.getEphemeralOwner()).isZero();
    }

    @Test
    void ephemeralNodeCannotHaveChildren() throws Exception {
        zk.create(p("e"), null, OPEN, CreateMode.EPHEMERAL);
        assertKeeperError(Code.NOCHILDRENFOREPHEMERALS,
                () -> zk.create(p("e/child"), null, OPEN, CreateMode.PERSISTENT));
        assertKeeperError(Code.NOCHILDRENFOREPHEMERALS,
                () -> zk.create(p("e/child-"), null, OPEN, CreateMode.EPHEMERAL_SEQUENTIAL));
        assertThat(zk.exists(p("e"), false).getCversion()).isZero();
    }

    @Test
    void sequentialSuffixIsTheParentsTenDigitChildCreationCount() throws Exception {
        assertThat(zk.create(p("s-"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)).isEqualTo(p("s-0000000000"));
        zk.create(p("plain"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("eph"), null, OPEN, CreateMode.EPHEMERAL);
        // every kind of child creation advances the counter
        assertThat(zk.create(p("s-"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)).isEqualTo(p("s-0000000003"));
        assertThat(zk.create(p("e-"), null, OPEN, CreateMode.EPHEMERAL_SEQUENTIAL)).isEqualTo(p("e-0000000004"));
        assertThat(zk.exists(p("e-0000000004"), false).getEphemeralOwner()).isEqualTo(zk.getSessionId());
    }

    @Test
    void deletesNeverLowerTheSequenceCounter() throws Exception {
        zk.create(p("x"), null, OPEN, CreateMode.PERSISTENT);
        zk.delete(p("x"), -1);
        assertThat(zk.create(p("s-"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)).isEqualTo(p("s-0000000001"));
        zk.delete(p("s-0000000001"), -1);
        assertThat(zk.create(p("s-"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)).isEqualTo(p("s-0000000002"));
        Stat parent = zk.exists(root, false);
        assertThat(parent.getNumChildren()).isEqualTo(1);
        // visible cversion = creations + deletions
        assertThat(parent.getCversion()).isEqualTo(5);
    }

    @Test
    void failedCreatesDoNotAdvanceTheSequenceCounter() throws Exception {
        zk.create(p("x"), null, OPEN, CreateMode.PERSISTENT);
        assertKeeperError(Code.NODEEXISTS, () -> zk.create(p("x"), null, OPEN, CreateMode.PERSISTENT));
        assertThat(zk.create(p("s-"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)).isEqualTo(p("s-0000000001"));
    }

    @Test
    void sequentialPathMayEndInSlashBecauseTheSuffixIsAddedFirst() throws Exception {
        zk.create(p("q"), null, OPEN, CreateMode.PERSISTENT);
        assertThat(zk.create(p("q/"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)).isEqualTo(p("q/0000000000"));
    }

    @Test
    void sequenceCountersArePerParent() throws Exception {
        zk.create(p("a"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("b"), null, OPEN, CreateMode.PERSISTENT);
        assertThat(zk.create(p("a/n-"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)).isEqualTo(p("a/n-0000000000"));
        assertThat(zk.create(p("a/n-"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)).isEqualTo(p("a/n-0000000001"));
        assertThat(zk.create(p("b/n-"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)).isEqualTo(p("b/n-0000000000"));
    }

    @Test
    void containerIsCreatedWithCreate2StatAndShowsNoEphemeralOwner() throws Exception {
        Stat stat = new Stat();
        String path = zk.create(p("c"), bytes("data"), OPEN, CreateMode.CONTAINER, stat);
        assertThat(path).isEqualTo(p("c"));
        assertThat(stat.getEphemeralOwner()).isZero();
        assertThat(stat.getDataLength()).isEqualTo(4);
        assertThat(zk.exists(p("c"), false)).isEqualTo(stat);
        // plain create (opcode 19 too) returns just the path
        assertThat(zk.create(p("c2"), null, OPEN, CreateMode.CONTAINER)).isEqualTo(p("c2"));
    }

    @Test
    void emptiedContainerIsReapedButNeverUsedOneIsKept() throws Exception {
        zk.create(p("never-used"), null, OPEN, CreateMode.CONTAINER);
        zk.create(p("used"), null, OPEN, CreateMode.CONTAINER);
        zk.create(p("used/child"), null, OPEN, CreateMode.EPHEMERAL);
        zk.create(p("busy"), null, OPEN, CreateMode.CONTAINER);
        zk.create(p("busy/child"), null, OPEN, CreateMode.PERSISTENT);

        EventLog log = new EventLog();
        assertThat(zk.exists(p("used"), log)).isNotNull();
        zk.delete(p("used/child"), -1);
        log.awaitEvent(org.apache.zookeeper.Watcher.Event.EventType.NodeDeleted, p("used"));
        assertThat(zk.exists(p("used"), false)).isNull();
        assertThat(zk.exists(p("never-used"), false)).as("never-used container is kept").isNotNull();
        assertThat(zk.exists(p("busy"), false)).as("container with children is kept").isNotNull();
    }

    @Test
    void containerMayHaveEphemeralChildrenAndIsReapedAfterTheirSessionCloses() throws Exception {
        zk.create(p("c"), null, OPEN, CreateMode.CONTAINER);
        ZooKeeper other = server.connect();
        other.create(p("c/member"), null, OPEN, CreateMode.EPHEMERAL);
        other.close();
        await().atMost(TestServer.TIMEOUT).until(() -> zk.exists(p("c"), false) == null);
    }

    @Test
    void ttlNodeIsDeletedAfterItsTtlWithoutChildren() throws Exception {
        Stat stat = new Stat();
        String path = zk.create(p("ttl"), bytes("x"), OPEN, CreateMode.PERSISTENT_WITH_TTL, stat, 500);
        assertThat(path).isEqualTo(p("ttl"));
        assertThat(stat.getEphemeralOwner()).as("TTL marker hidden from clients").isZero();
        assertThat(stat.getCzxid()).isPositive();
        assertThat(zk.exists(path, false)).isEqualTo(stat);
        await().atMost(TestServer.TIMEOUT).until(() -> zk.exists(path, false) == null);
    }

    @Test
    void ttlNodeWithChildrenIsKept() throws Exception {
        zk.create(p("ttl"), null, OPEN, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 200);
        zk.create(p("ttl/child"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("short"), null, OPEN, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 200);
        await().atMost(TestServer.TIMEOUT).until(() -> zk.exists(p("short"), false) == null);
        assertThat(zk.exists(p("ttl"), false)).isNotNull();
        zk.delete(p("ttl/child"), -1);
        await().atMost(TestServer.TIMEOUT).until(() -> zk.exists(p("ttl"), false) == null);
    }

    @Test
    void sequentialTtlNodeGetsSuffixAndExpires() throws Exception {
        zk.create(p("x"), null, OPEN, CreateMode.PERSISTENT);
        String path = zk.create(p("t-"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, new Stat(), 300);
        assertThat(path).isEqualTo(p("t-0000000001"));
        await().atMost(TestServer.TIMEOUT).until(() -> zk.exists(path, false) == null);
    }

    @Test
    void ttlNodeWithLongTtlSurvivesReaperPasses() throws Exception {
        zk.create(p("long"), null, OPEN, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 3_600_000);
        zk.create(p("short"), null, OPEN, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 100);
        await().atMost(TestServer.TIMEOUT).until(() -> zk.exists(p("short"), false) == null);
        assertThat(zk.exists(p("long"), false)).isNotNull();
    }
}
