package io.ensemble.compat;

import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.Watcher.WatcherType;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/** One-shot, persistent and recursive watches, ordering, removal and restoration: protocol section 5. */
class WatchCompatTest extends CompatTestBase {

    private static long syncConnectedCount(EventLog log) {
        return log.all().stream()
                .filter(e -> e.getType() == EventType.None && e.getState() == KeeperState.SyncConnected).count();
    }

    @Test
    void dataWatchIsOneShot() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        EventLog log = new EventLog();
        ZooKeeper w = server.connect();
        w.getData(p("n"), log, null);
        zk.setData(p("n"), bytes("1"), -1);
        zk.setData(p("n"), bytes("2"), -1);
        log.awaitEvent(EventType.NodeDataChanged, p("n"));
        log.barrier(w);
        assertThat(log.describe()).containsExactly("NodeDataChanged " + p("n"));
        assertThat(log.nodeEvents().get(0).getState()).isEqualTo(KeeperState.SyncConnected);
    }

    @Test
    void existsWatchOnMissingNodeFiresNodeCreated() throws Exception {
        EventLog log = new EventLog();
        ZooKeeper w = server.connect();
        assertThat(w.exists(p("later"), log)).isNull();
        zk.create(p("later"), null, OPEN, CreateMode.PERSISTENT);
        log.awaitEvent(EventType.NodeCreated, p("later"));

        assertThat(w.exists(p("later"), log)).isNotNull();
        zk.setData(p("later"), bytes("x"), -1);
        log.awaitEvent(EventType.NodeDataChanged, p("later"));
        assertThat(w.exists(p("later"), log)).isNotNull();
        zk.delete(p("later"), -1);
        log.awaitEvent(EventType.NodeDeleted, p("later"));
        log.barrier(w);
        assertThat(log.describe()).containsExactly(
                "NodeCreated " + p("later"), "NodeDataChanged " + p("later"), "NodeDeleted " + p("later"));
    }

    @Test
    void getDataOnMissingNodeLeavesNoWatch() throws Exception {
        EventLog log = new EventLog();
        ZooKeeper w = server.connect();
        assertKeeperError(Code.NONODE, () -> w.getData(p("missing"), log, null));
        assertKeeperError(Code.NONODE, () -> w.getChildren(p("missing"), log));
        zk.create(p("missing"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("missing/child"), null, OPEN, CreateMode.PERSISTENT);
        log.barrier(w);
        assertThat(log.describe()).isEmpty();
    }

    @Test
    void deleteFiresNodeDeletedForDataAndChildWatchesAndChildrenChangedOnTheParent() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        EventLog data = new EventLog();
        EventLog children = new EventLog();
        EventLog parent = new EventLog();
        ZooKeeper w = server.connect();
        w.getData(p("n"), data, null);
        w.getChildren(p("n"), children);
        w.getChildren(root, parent);
        zk.delete(p("n"), -1);
        data.awaitEvent(EventType.NodeDeleted, p("n"));
        children.awaitEvent(EventType.NodeDeleted, p("n"));
        parent.awaitEvent(EventType.NodeChildrenChanged, root);
        data.barrier(w);
        assertThat(data.describe()).containsExactly("NodeDeleted " + p("n"));
        assertThat(children.describe()).containsExactly("NodeDeleted " + p("n"));
        assertThat(parent.describe()).containsExactly("NodeChildrenChanged " + root);
    }

    @Test
    void childWatchFiresForChildCreateAndDeleteButNotForChildData() throws Exception {
        zk.create(p("existing"), null, OPEN, CreateMode.PERSISTENT);
        EventLog log = new EventLog();
        ZooKeeper w = server.connect();
        w.getChildren(root, log);
        zk.setData(p("existing"), bytes("x"), -1);
        zk.setData(root, bytes("parent data"), -1);
        zk.create(p("new"), null, OPEN, CreateMode.PERSISTENT);
        log.awaitEvent(EventType.NodeChildrenChanged, root);
        w.getChildren(root, log, null);
        zk.delete(p("new"), -1);
        log.awaitCount(EventType.NodeChildrenChanged, root, 2);
        log.barrier(w);
        assertThat(log.describe()).containsExactly("NodeChildrenChanged " + root, "NodeChildrenChanged " + root);
    }

    @Test
    void persistentWatchFiresRepeatedlyForItsOwnPathOnly() throws Exception {
        EventLog log = new EventLog();
        ZooKeeper w = server.connect();
        String n = p("n");
        w.addWatch(n, log, AddWatchMode.PERSISTENT);   // the node need not exist

        zk.create(n, null, OPEN, CreateMode.PERSISTENT);
        zk.setData(n, bytes("1"), -1);
        zk.setData(n, bytes("2"), -1);
        zk.create(n + "/c", null, OPEN, CreateMode.PERSISTENT);
        zk.setData(n + "/c", bytes("child data"), -1);
        zk.create(n + "/c/grandchild", null, OPEN, CreateMode.PERSISTENT);
        zk.delete(n + "/c/grandchild", -1);
        zk.delete(n + "/c", -1);
        zk.delete(n, -1);
        zk.create(n, null, OPEN, CreateMode.PERSISTENT);
        log.awaitCount(EventType.NodeCreated, n, 2);
        log.barrier(w);
        assertThat(log.describe()).containsExactly(
                "NodeCreated " + n,
                "NodeDataChanged " + n,
                "NodeDataChanged " + n,
                "NodeChildrenChanged " + n,
                "NodeChildrenChanged " + n,
                "NodeDeleted " + n,
                "NodeCreated " + n);
    }

    @Test
    void recursiveWatchCoversDescendantsButNeverChildrenChanged() throws Exception {
        EventLog log = new EventLog();
        ZooKeeper w = server.connect();
        String t = p("t");
        w.addWatch(t, log, AddWatchMode.PERSISTENT_RECURSIVE);

        zk.create(t, null, OPEN, CreateMode.PERSISTENT);
        zk.create(t + "/a", null, OPEN, CreateMode.PERSISTENT);
        zk.create(t + "/a/b", null, OPEN, CreateMode.PERSISTENT);
        zk.setData(t + "/a/b", bytes("x"), -1);
        zk.setData(t + "/a/b", bytes("y"), -1);
        zk.create(p("t2"), null, OPEN, CreateMode.PERSISTENT);         // a sibling sharing the string prefix
        zk.create(p("t2/x"), null, OPEN, CreateMode.PERSISTENT);
        zk.delete(t + "/a/b", -1);
        zk.setData(t, bytes("top"), -1);
        log.awaitEvent(EventType.NodeDataChanged, t);
        log.barrier(w);
        assertThat(log.describe()).containsExactly(
                "NodeCreated " + t,
                "NodeCreated " + t + "/a",
                "NodeCreated " + t + "/a/b",
                "NodeDataChanged " + t + "/a/b",
                "NodeDataChanged " + t + "/a/b",
                "NodeDeleted " + t + "/a/b",
                "NodeDataChanged " + t);
    }

    @Test
    void standardAndPersistentWatchesOnOnePathBothSeeTheEvent() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        EventLog oneShot = new EventLog();
        EventLog persistent = new EventLog();
        ZooKeeper w = server.connect();
        w.addWatch(p("n"), persistent, AddWatchMode.PERSISTENT);
        w.getData(p("n"), oneShot, null);
        zk.setData(p("n"), bytes("1"), -1);
        zk.setData(p("n"), bytes("2"), -1);
        persistent.awaitCount(EventType.NodeDataChanged, p("n"), 2);
        oneShot.barrier(w);
        assertThat(oneShot.describe()).containsExactly("NodeDataChanged " + p("n"));
        assertThat(persistent.describe()).containsExactly("NodeDataChanged " + p("n"), "NodeDataChanged " + p("n"));
    }

    @Test
    void watchEventIsDeliveredBeforeTheReplyOfTheWriteThatTriggeredIt() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        AtomicBoolean fired = new AtomicBoolean();
        zk.getData(p("n"), event -> fired.set(true), null);
        CompletableFuture<Boolean> firedWhenReplyArrived = new CompletableFuture<>();
        // async: the callback runs on the same event thread as the watcher, in arrival order
        zk.setData(p("n"), bytes("x"), -1, (rc, path, ctx, stat) -> firedWhenReplyArrived.complete(fired.get()), null);
        assertThat(firedWhenReplyArrived.get(30, TimeUnit.SECONDS)).as("watch event before the write's reply").isTrue();
    }

    @Test
    void watchEventReachesOtherSessionsBeforeAnyLaterReply() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        ZooKeeper w = server.connect();
        AtomicBoolean fired = new AtomicBoolean();
        w.getData(p("n"), event -> fired.set(true), null);
        zk.setData(p("n"), bytes("x"), -1);   // returns after the event was queued to w's connection
        CompletableFuture<Boolean> firedWhenReplyArrived = new CompletableFuture<>();
        w.getData(p("n"), false, (rc, path, ctx, data, stat) -> firedWhenReplyArrived.complete(fired.get()), null);
        assertThat(firedWhenReplyArrived.get(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void removeWatchesRemovesADataWatch() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        EventLog log = new EventLog();
        ZooKeeper w = server.connect();
        w.getData(p("n"), log, null);
        w.removeWatches(p("n"), log, WatcherType.Data, false);
        log.awaitEvent(EventType.DataWatchRemoved, p("n"));
        zk.setData(p("n"), bytes("x"), -1);
        log.barrier(w);
        assertThat(log.describe()).containsExactly("DataWatchRemoved " + p("n"));
    }

    @Test
    void removeAllWatchesRemovesPersistentAndChildWatches() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        EventLog log = new EventLog();
        ZooKeeper w = server.connect();
        w.addWatch(p("n"), log, AddWatchMode.PERSISTENT);
        w.getChildren(p("n"), log);
        w.removeAllWatches(p("n"), WatcherType.Any, false);
        zk.setData(p("n"), bytes("x"), -1);
        zk.create(p("n/c"), null, OPEN, CreateMode.PERSISTENT);
        log.barrier(w);
        assertThat(log.describe()).doesNotContain("NodeDataChanged " + p("n"), "NodeChildrenChanged " + p("n"));
    }

    @Test
    void removeWatchesOfAWatchTheServerNoLongerHoldsIsNoWatcher() throws Exception {
        // the server consumes the watch but drops the event: the connection may not READ the new node
        List<ACL> secret = acls(new ACL(ZooDefs.Perms.ALL, new Id("digest", "alice:AAAAAAAAAAAAAAAAAAAAAAAAAAA=")));
        EventLog log = new EventLog();
        ZooKeeper w = server.connect();
        assertThat(w.exists(p("a"), log)).isNull();
        assertThat(w.exists(p("b"), log)).isNull();
        zk.create(p("a"), null, secret, CreateMode.PERSISTENT);
        zk.create(p("b"), null, secret, CreateMode.PERSISTENT);

        KeeperException check = catchThrowableOfType(KeeperException.class,
                () -> w.removeWatches(p("a"), log, WatcherType.Data, false));      // checkWatches (17)
        assertThat(check).isNotNull();
        assertThat(check.code()).isEqualTo(Code.NOWATCHER);
        KeeperException remove = catchThrowableOfType(KeeperException.class,
                () -> w.removeAllWatches(p("b"), WatcherType.Data, false));         // removeWatches (18)
        assertThat(remove).isNotNull();
        assertThat(remove.code()).isEqualTo(Code.NOWATCHER);
        assertThat(log.describe()).isEmpty();
    }

    @Test
    void watchesAreRestoredAfterReconnect() throws Exception {
        zk.create(p("d"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("q"), null, OPEN, CreateMode.PERSISTENT);
        EventLog state = new EventLog();
        EventLog log = new EventLog();
        ZooKeeper w = server.connect(state);
        w.getData(p("d"), log, null);
        w.exists(p("e"), log);
        w.getChildren(root, log);
        w.addWatch(p("q"), log, AddWatchMode.PERSISTENT);
        w.addWatch(p("r"), log, AddWatchMode.PERSISTENT_RECURSIVE);

        w.getTestable().closeSocket();
        await().atMost(TestServer.TIMEOUT).until(() -> syncConnectedCount(state) >= 2);

        zk.setData(p("d"), bytes("x"), -1);
        zk.create(p("e"), null, OPEN, CreateMode.PERSISTENT);
        zk.setData(p("q"), bytes("x"), -1);
        zk.create(p("r"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("r/deep"), null, OPEN, CreateMode.PERSISTENT);
        log.awaitEvent(EventType.NodeCreated, p("r/deep"));
        log.barrier(w);
        assertThat(log.describe()).containsExactlyInAnyOrder(
                "NodeDataChanged " + p("d"),
                "NodeCreated " + p("e"),
                "NodeChildrenChanged " + root,
                "NodeDataChanged " + p("q"),
                "NodeCreated " + p("r"),
                "NodeCreated " + p("r/deep"));
        assertThat(state.hasState(KeeperState.Expired)).isFalse();
    }

    @Test
    void setWatchesDeliversCatchUpEventsForChangesMissedWhileDisconnected() throws Exception {
        zk.create(p("d"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("gone"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("q"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("kids"), null, OPEN, CreateMode.PERSISTENT);
        try (TcpProxy proxy = new TcpProxy(server.port())) {
            EventLog state = new EventLog();
            EventLog log = new EventLog();
            ZooKeeper w = server.connect(proxy.connectString(), TestServer.SESSION_TIMEOUT, state);
            w.getData(p("d"), log, null);
            w.getData(p("gone"), log, null);
            w.exists(p("e"), log);
            w.getChildren(p("kids"), log);
            w.addWatch(p("q"), log, AddWatchMode.PERSISTENT);

            proxy.cut();
            state.awaitState(KeeperState.Disconnected);
            zk.setData(p("d"), bytes("x"), -1);
            zk.delete(p("gone"), -1);
            zk.create(p("e"), null, OPEN, CreateMode.PERSISTENT);
            zk.create(p("kids/k"), null, OPEN, CreateMode.PERSISTENT);
            zk.setData(p("q"), bytes("missed"), -1);   // persistent watches get no catch-up event
            proxy.restore();
            await().atMost(TestServer.TIMEOUT).until(() -> syncConnectedCount(state) >= 2);

            log.awaitEvent(EventType.NodeChildrenChanged, p("kids"));
            log.barrier(w);
            assertThat(log.describe()).containsExactlyInAnyOrder(
                    "NodeDataChanged " + p("d"),
                    "NodeDeleted " + p("gone"),
                    "NodeCreated " + p("e"),
                    "NodeChildrenChanged " + p("kids"));

            zk.setData(p("q"), bytes("seen"), -1);
            log.awaitEvent(EventType.NodeDataChanged, p("q"));
            assertThat(state.hasState(KeeperState.Expired)).isFalse();
        }
    }

    @Test
    void childrenChangedIsFilteredByTheParentsCurrentAcl() throws Exception {
        zk.create(p("parent"), null, OPEN, CreateMode.PERSISTENT);
        EventLog log = new EventLog();
        ZooKeeper anon = server.connect();
        anon.getChildren(p("parent"), log);
        anon.exists(p("open"), log);
        // setACL fires nothing, but from now on the watcher may not READ the parent
        zk.setACL(p("parent"), acls(new ACL(ZooDefs.Perms.ALL,
                new Id("digest", "alice:AAAAAAAAAAAAAAAAAAAAAAAAAAA="))), -1);
        ZooKeeper admin = server.connect();
        admin.addAuthInfo("digest", bytes("super:test"));
        admin.create(p("parent/kid"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("open"), null, OPEN, CreateMode.PERSISTENT);
        log.awaitEvent(EventType.NodeCreated, p("open"));
        log.barrier(anon);
        assertThat(log.describe()).containsExactly("NodeCreated " + p("open"));
    }

    @Test
    void childWatchOnTheRootSeesTopLevelCreates() throws Exception {
        EventLog log = new EventLog();
        ZooKeeper w = server.connect();
        w.getChildren("/", log);
        String top = "/" + getClass().getSimpleName() + "-top-level";
        zk.create(top, null, OPEN, CreateMode.EPHEMERAL);
        log.awaitEvent(EventType.NodeChildrenChanged, "/");
        assertThat(log.describe()).containsExactly("NodeChildrenChanged /");
    }

    @Test
    void notificationsFollowTheGlobalTransactionOrder() throws Exception {
        int n = 100;
        EventLog log = new EventLog();
        ZooKeeper w = server.connect();
        for (int i = 0; i < n; i++) {
            w.exists(p("n" + i), log);
        }
        // pipelined async creates from another session, in a known order
        CompletableFuture<Void> done = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger replies = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = n - 1; i >= 0; i--) {
            zk.create(p("n" + i), null, OPEN, CreateMode.PERSISTENT, (rc, path, ctx, name) -> {
                if (replies.incrementAndGet() == n) {
                    done.complete(null);
                }
            }, null);
        }
        done.get(60, TimeUnit.SECONDS);
        log.awaitCount(EventType.NodeCreated, p("n0"), 1);
        List<String> expected = new java.util.ArrayList<>();
        for (int i = n - 1; i >= 0; i--) {
            expected.add("NodeCreated " + p("n" + i));
        }
        assertThat(log.describe()).containsExactlyElementsOf(expected);
    }

    @Test
    void multiFiresOneEventPerOpInOpOrder() throws Exception {
        int n = 50;
        List<org.apache.zookeeper.Op> creates = new java.util.ArrayList<>();
        List<org.apache.zookeeper.Op> updates = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            creates.add(org.apache.zookeeper.Op.create(p("n" + i), null, OPEN, CreateMode.PERSISTENT));
            updates.add(org.apache.zookeeper.Op.setData(p("n" + (n - 1 - i)), bytes("v"), 0));
        }
        zk.multi(creates);
        EventLog log = new EventLog();
        ZooKeeper w = server.connect();
        for (int i = 0; i < n; i++) {
            w.getData(p("n" + i), log, null);
        }
        zk.multi(updates);
        log.awaitCount(EventType.NodeDataChanged, p("n0"), 1);
        List<String> expected = new java.util.ArrayList<>();
        for (int i = n - 1; i >= 0; i--) {
            expected.add("NodeDataChanged " + p("n" + i));
        }
        assertThat(log.describe()).containsExactlyElementsOf(expected);
    }

    @Test
    void removeWatchesOfTypePersistentRemovesOnlyThePersistentWatch() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        EventLog persistent = new EventLog();
        EventLog oneShot = new EventLog();
        ZooKeeper w = server.connect();
        w.addWatch(p("n"), persistent, AddWatchMode.PERSISTENT);
        w.getData(p("n"), oneShot, null);
        w.removeWatches(p("n"), persistent, WatcherType.Persistent, false);
        persistent.awaitEvent(EventType.PersistentWatchRemoved, p("n"));
        zk.setData(p("n"), bytes("x"), -1);
        oneShot.awaitEvent(EventType.NodeDataChanged, p("n"));
        persistent.barrier(w);
        assertThat(persistent.describe()).containsExactly("PersistentWatchRemoved " + p("n"));
        KeeperException none = catchThrowableOfType(KeeperException.class,
                () -> w.removeAllWatches(p("n"), WatcherType.PersistentRecursive, false));
        assertThat(none).isNotNull();
        assertThat(none.code()).isEqualTo(Code.NOWATCHER);
    }

    @Test
    void ephemeralDeletedByAnotherSessionFiresWatchesAndLeavesTheOwnersList() throws Exception {
        ZooKeeper owner = server.connect();
        owner.create(p("e"), null, OPEN, CreateMode.EPHEMERAL);
        EventLog log = new EventLog();
        owner.exists(p("e"), log);
        zk.delete(p("e"), -1);
        log.awaitEvent(EventType.NodeDeleted, p("e"));
        assertThat(owner.getEphemerals(root)).isEmpty();
        owner.close();
    }

    @Test
    void manyWatchesAreRestoredAcrossSeveralSetWatchesBatches() throws Exception {
        // ~1500 exists watches with ~200-character paths: well over the client's 128 KiB SetWatches batch size
        String pad = "x".repeat(150);
        int n = 1500;
        EventLog state = new EventLog();
        EventLog log = new EventLog();
        ZooKeeper w = server.connect(state);
        CompletableFuture<Void> registered = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < n; i++) {
            w.exists(p(pad + i), log, (rc, path, ctx, stat) -> {
                if (count.incrementAndGet() == n) {
                    registered.complete(null);
                }
            }, null);
        }
        registered.get(60, TimeUnit.SECONDS);

        w.getTestable().closeSocket();
        await().atMost(TestServer.TIMEOUT).until(() -> syncConnectedCount(state) >= 2);
        for (int i : new int[] {0, n / 2, n - 1}) {
            zk.create(p(pad + i), null, OPEN, CreateMode.PERSISTENT);
            log.awaitEvent(EventType.NodeCreated, p(pad + i));
        }
        assertThat(state.hasState(KeeperState.Expired)).isFalse();
    }
}
