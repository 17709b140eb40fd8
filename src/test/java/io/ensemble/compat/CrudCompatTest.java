package io.ensemble.compat;

import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** create/create2, delete, exists, getData, setData, getChildren(2), getAllChildrenNumber, getEphemerals, sync. */
class CrudCompatTest extends CompatTestBase {

    @Test
    void create2ReturnsPathAndStatOfTheNewNode() throws Exception {
        long before = System.currentTimeMillis();
        Stat stat = new Stat();
        String path = zk.create(p("n"), bytes("hello"), OPEN, CreateMode.PERSISTENT, stat);
        long after = System.currentTimeMillis();

        assertThat(path).isEqualTo(p("n"));
        assertThat(stat.getCzxid()).isPositive();
        assertThat(stat.getMzxid()).isEqualTo(stat.getCzxid());
        assertThat(stat.getPzxid()).isEqualTo(stat.getCzxid());
        assertThat(stat.getCtime()).isEqualTo(stat.getMtime()).isBetween(before - 60_000, after + 60_000);
        assertThat(stat.getVersion()).isZero();
        assertThat(stat.getCversion()).isZero();
        assertThat(stat.getAversion()).isZero();
        assertThat(stat.getEphemeralOwner()).isZero();
        assertThat(stat.getDataLength()).isEqualTo(5);
        assertThat(stat.getNumChildren()).isZero();
        assertThat(zk.exists(path, false)).isEqualTo(stat);
    }

    @Test
    void createOfExistingNodeIsNodeExists() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        assertKeeperError(Code.NODEEXISTS, () -> zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT));
        assertKeeperError(Code.NODEEXISTS, () -> zk.create("/", null, OPEN, CreateMode.PERSISTENT));
    }

    @Test
    void createWithMissingParentIsNoNode() {
        assertKeeperError(Code.NONODE, () -> zk.create(p("missing/child"), null, OPEN, CreateMode.PERSISTENT));
    }

    @Test
    void nullDataRoundTripsAsNullAndEmptyAsEmpty() throws Exception {
        zk.create(p("null"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("empty"), new byte[0], OPEN, CreateMode.PERSISTENT);
        Stat stat = new Stat();
        assertThat(zk.getData(p("null"), false, stat)).isNull();
        assertThat(stat.getDataLength()).isZero();
        assertThat(zk.getData(p("empty"), false, stat)).isNotNull().isEmpty();
        assertThat(stat.getDataLength()).isZero();

        zk.setData(p("empty"), null, -1);
        assertThat(zk.getData(p("empty"), false, null)).isNull();
        zk.setData(p("null"), new byte[0], -1);
        assertThat(zk.getData(p("null"), false, null)).isNotNull().isEmpty();
    }

    @Test
    void getDataReturnsBytesAndStat() throws Exception {
        byte[] data = new byte[256];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        Stat created = new Stat();
        zk.create(p("bin"), data, OPEN, CreateMode.PERSISTENT, created);
        Stat stat = new Stat();
        assertThat(zk.getData(p("bin"), false, stat)).isEqualTo(data);
        assertThat(stat).isEqualTo(created);
        assertKeeperError(Code.NONODE, () -> zk.getData(p("missing"), false, null));
    }

    @Test
    void existsReturnsStatOrNull() throws Exception {
        assertThat(zk.exists(p("n"), false)).isNull();
        Stat created = new Stat();
        zk.create(p("n"), bytes("abc"), OPEN, CreateMode.PERSISTENT, created);
        assertThat(zk.exists(p("n"), false)).isEqualTo(created);
    }

    @Test
    void setDataBumpsVersionAndMzxidAndChecksVersion() throws Exception {
        Stat created = new Stat();
        zk.create(p("n"), bytes("v0"), OPEN, CreateMode.PERSISTENT, created);

        Stat s1 = zk.setData(p("n"), bytes("v1!"), 0);
        assertThat(s1.getVersion()).isEqualTo(1);
        assertThat(s1.getCzxid()).isEqualTo(created.getCzxid());
        assertThat(s1.getMzxid()).isGreaterThan(created.getMzxid());
        assertThat(s1.getPzxid()).isEqualTo(created.getPzxid());
        assertThat(s1.getCtime()).isEqualTo(created.getCtime());
        assertThat(s1.getMtime()).isGreaterThanOrEqualTo(created.getMtime());
        assertThat(s1.getDataLength()).isEqualTo(3);
        assertThat(s1.getCversion()).isZero();
        assertThat(s1.getAversion()).isZero();

        assertKeeperError(Code.BADVERSION, () -> zk.setData(p("n"), bytes("stale"), 0));
        assertThat(str(zk.getData(p("n"), false, null))).isEqualTo("v1!");

        Stat s2 = zk.setData(p("n"), bytes("v2"), -1);
        assertThat(s2.getVersion()).isEqualTo(2);
        assertThat(zk.exists(p("n"), false)).isEqualTo(s2);
        assertKeeperError(Code.NONODE, () -> zk.setData(p("missing"), null, -1));
    }

    @Test
    void deleteChecksVersionAndRemovesTheNode() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        zk.setData(p("n"), bytes("x"), 0);
        assertKeeperError(Code.BADVERSION, () -> zk.delete(p("n"), 0));
        zk.delete(p("n"), 1);
        assertThat(zk.exists(p("n"), false)).isNull();
        assertKeeperError(Code.NONODE, () -> zk.delete(p("n"), -1));

        zk.create(p("m"), null, OPEN, CreateMode.PERSISTENT);
        zk.delete(p("m"), -1);
        assertThat(zk.exists(p("m"), false)).isNull();
    }

    @Test
    void childChangesMoveOnlyCversionNumChildrenAndPzxidOfTheParent() throws Exception {
        Stat parent0 = zk.exists(root, false);
        Stat child = new Stat();
        zk.create(p("c"), null, OPEN, CreateMode.PERSISTENT, child);

        Stat parent1 = zk.exists(root, false);
        assertThat(parent1.getCversion()).isEqualTo(parent0.getCversion() + 1);
        assertThat(parent1.getNumChildren()).isEqualTo(1);
        assertThat(parent1.getPzxid()).isEqualTo(child.getCzxid());
        assertThat(parent1.getMzxid()).isEqualTo(parent0.getMzxid());
        assertThat(parent1.getMtime()).isEqualTo(parent0.getMtime());
        assertThat(parent1.getVersion()).isEqualTo(parent0.getVersion());

        zk.delete(p("c"), -1);
        Stat parent2 = zk.exists(root, false);
        assertThat(parent2.getCversion()).as("a delete counts in the visible cversion").isEqualTo(2);
        assertThat(parent2.getNumChildren()).isZero();
        assertThat(parent2.getMzxid()).isEqualTo(parent0.getMzxid());
        // the next write gets the zxid right after the delete, which is the parent's pzxid
        Stat next = zk.setData(root, bytes("x"), -1);
        assertThat(parent2.getPzxid()).isGreaterThan(child.getCzxid());
        assertThat(next.getMzxid()).isEqualTo(parent2.getPzxid() + 1);
    }

    @Test
    void getChildrenReturnsNamesAndGetChildren2AlsoTheNodesStat() throws Exception {
        zk.create(p("b"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("a"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("a/deep"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("c"), null, OPEN, CreateMode.EPHEMERAL);

        assertThat(zk.getChildren(root, false)).containsExactlyInAnyOrder("a", "b", "c");
        Stat stat = new Stat();
        assertThat(zk.getChildren(root, false, stat)).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(stat).isEqualTo(zk.exists(root, false));
        assertThat(stat.getNumChildren()).isEqualTo(3);
        assertThat(zk.getChildren(p("b"), false)).isEmpty();
        assertKeeperError(Code.NONODE, () -> zk.getChildren(p("missing"), false));
        assertKeeperError(Code.NONODE, () -> zk.getChildren(p("missing"), false, new Stat()));
    }

    @Test
    void getAllChildrenNumberCountsAllDescendantsButNotTheNode() throws Exception {
        zk.create(p("a"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("a/b"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("a/b/c"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("a/d"), null, OPEN, CreateMode.PERSISTENT);
        zk.create(p("e"), null, OPEN, CreateMode.EPHEMERAL);
        assertThat(zk.getAllChildrenNumber(root)).isEqualTo(5);
        assertThat(zk.getAllChildrenNumber(p("a"))).isEqualTo(3);
        assertThat(zk.getAllChildrenNumber(p("e"))).isZero();
        assertKeeperError(Code.NONODE, () -> zk.getAllChildrenNumber(p("missing")));
    }

    @Test
    void getEphemeralsListsOnlyTheCallersEphemeralsByPlainPrefix() throws Exception {
        ZooKeeper mine = server.connect();
        ZooKeeper other = server.connect();
        zk.create(p("app"), null, OPEN, CreateMode.PERSISTENT);
        mine.create(p("app/e1"), null, OPEN, CreateMode.EPHEMERAL);
        String seq = mine.create(p("app/e-"), null, OPEN, CreateMode.EPHEMERAL_SEQUENTIAL);
        mine.create(p("apple"), null, OPEN, CreateMode.EPHEMERAL);
        mine.create(p("zz"), null, OPEN, CreateMode.EPHEMERAL);
        other.create(p("app/theirs"), null, OPEN, CreateMode.EPHEMERAL);
        mine.create(p("app/persistent"), null, OPEN, CreateMode.PERSISTENT);

        assertThat(mine.getEphemerals(p("app/e"))).containsExactlyInAnyOrder(p("app/e1"), seq);
        // a plain string prefix: "/x/app" also matches "/x/apple"
        assertThat(mine.getEphemerals(p("app"))).containsExactlyInAnyOrder(p("app/e1"), seq, p("apple"));
        assertThat(mine.getEphemerals()).containsExactlyInAnyOrder(p("app/e1"), seq, p("apple"), p("zz"));
        assertThat(mine.getEphemerals("/")).containsExactlyInAnyOrder(p("app/e1"), seq, p("apple"), p("zz"));
        assertThat(other.getEphemerals(root)).containsExactly(p("app/theirs"));
        assertThat(mine.getEphemerals(p("nothing-here"))).isEmpty();
    }

    @Test
    void syncSucceedsAndEchoesThePathEvenForAMissingNode() throws Exception {
        zk.sync(root);
        zk.sync(p("does-not-exist"));
        CompletableFuture<String> echoed = new CompletableFuture<>();
        zk.sync(p("does-not-exist"), (AsyncCallback.VoidCallback) (rc, path, ctx) -> {
            if (rc == 0) {
                echoed.complete(path);
            } else {
                echoed.completeExceptionally(new AssertionError("sync rc " + rc));
            }
        }, null);
        assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo(p("does-not-exist"));
    }

    @Test
    void repliesToPipelinedAsyncRequestsArriveInRequestOrder() throws Exception {
        int n = 200;
        java.util.List<Integer> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.List<Integer> codes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        CompletableFuture<Void> done = new CompletableFuture<>();
        for (int i = 0; i < n; i++) {
            int idx = i;
            // mix of successes, errors, reads and writes
            if (i % 3 == 0) {
                zk.create(p("n" + i), null, OPEN, CreateMode.PERSISTENT, (rc, path, ctx, name) -> {
                    order.add(idx);
                    codes.add(rc);
                    if (order.size() == n) {
                        done.complete(null);
                    }
                }, null);
            } else if (i % 3 == 1) {
                zk.getData(p("missing" + i), false, (rc, path, ctx, data, stat) -> {
                    order.add(idx);
                    codes.add(rc);
                    if (order.size() == n) {
                        done.complete(null);
                    }
                }, null);
            } else {
                zk.exists(p("n" + (i - 2)), false, (rc, path, ctx, stat) -> {
                    order.add(idx);
                    codes.add(rc);
                    if (order.size() == n) {
                        done.complete(null);
                    }
                }, null);
            }
        }
        done.get(60, TimeUnit.SECONDS);
        assertThat(order).isSorted().hasSize(n);
        for (int i = 0; i < n; i++) {
            int expected = switch (i % 3) {
                case 0, 2 -> Code.OK.intValue();
                default -> Code.NONODE.intValue();
            };
            assertThat(codes.get(i)).as("rc of request %d", i).isEqualTo(expected);
        }
    }

    @Test
    void chrootedClientSeesPathsRelativeToItsRoot() throws Exception {
        EventLog log = new EventLog();
        ZooKeeper chrooted = server.connect(server.connectString() + root, TestServer.SESSION_TIMEOUT, log);
        assertThat(chrooted.create("/a", bytes("x"), OPEN, CreateMode.PERSISTENT)).isEqualTo("/a");
        assertThat(chrooted.create("/s-", null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL)).isEqualTo("/s-0000000001");
        assertThat(zk.exists(p("a"), false)).isNotNull();
        chrooted.exists("/b", true);
        zk.create(p("b"), null, OPEN, CreateMode.PERSISTENT);
        log.awaitEvent(org.apache.zookeeper.Watcher.Event.EventType.NodeCreated, "/b");
        var results = chrooted.multi(java.util.List.of(
                org.apache.zookeeper.Op.create("/c", null, OPEN, CreateMode.PERSISTENT)));
        // the server answers with the full path; the 3.9 Java client does not strip the chroot from multi results
        assertThat(((org.apache.zookeeper.OpResult.CreateResult) results.get(0)).getPath()).isEqualTo(p("c"));
        assertThat(chrooted.getChildren("/", false)).containsExactlyInAnyOrder("a", "s-0000000001", "b", "c");
    }

    @Test
    void unicodeNamesAndBinaryDataRoundTrip() throws Exception {
        String name = "\u00fcn\u00efc\u00f8d\u00e9-\u65e5\u672c-\u0416 space";
        String path = zk.create(p(name), bytes("\u00e4\u00f6\u00fc \u20ac"), OPEN, CreateMode.PERSISTENT);
        assertThat(path).isEqualTo(p(name));
        assertThat(zk.getChildren(root, false)).containsExactly(name);
        assertThat(str(zk.getData(p(name), false, null))).isEqualTo("\u00e4\u00f6\u00fc \u20ac");
        assertThat(zk.exists(p(name), false).getDataLength()).isEqualTo(bytes("\u00e4\u00f6\u00fc \u20ac").length);
    }

    @Test
    void manyChildrenAreAllListed() throws Exception {
        int n = 1000;
        java.util.List<org.apache.zookeeper.Op> ops = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            ops.add(org.apache.zookeeper.Op.create(p("c" + i), null, OPEN, CreateMode.PERSISTENT));
        }
        zk.multi(ops);
        java.util.List<String> children = zk.getChildren(root, false);
        assertThat(children).hasSize(n).doesNotHaveDuplicates().contains("c0", "c999");
        assertThat(zk.exists(root, false).getNumChildren()).isEqualTo(n);
        assertThat(zk.getAllChildrenNumber(root)).isEqualTo(n);
    }
}
