package io.ensemble.tree;

import io.ensemble.txn.Txn;
import io.ensemble.txn.TxnHeader;
import io.ensemble.wire.Acl;
import io.ensemble.wire.Id;
import io.ensemble.wire.OpCode;
import io.ensemble.wire.Stat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The tree applying prepared transactions: stats, bookkeeping and the watch events it hands out. */
class DataTreeTest {
    static final long S1 = 0x0100_0000_0000_0001L;
    static final long S2 = 0x0100_0000_0000_0002L;

    /** A connection stand-in with identity semantics. */
    static final class W implements Watcher {
        final String name;
        final List<Id> ids;

        W(String name, Id... ids) {
            this.name = name;
            this.ids = List.of(ids);
        }

        @Override
        public Collection<Id> authIds() {
            return ids;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    record Event(Watcher watcher, int type, String path, long zxid) {
    }

    private DataTree tree;
    private final List<Event> events = new ArrayList<>();
    private final EventSink sink = (w, type, path, zxid) -> events.add(new Event(w, type, path, zxid));
    private long zxid = 100;

    @BeforeEach
    void setUp() {
        tree = new DataTree();
    }

    private TxnHeader hdr(long session, long time) {
        return new TxnHeader(session, 1, ++zxid, time, OpCode.CREATE);
    }

    /** Creates a node as preparation would: parent cversion = stored + 1. */
    private long create(String path, byte[] data, List<Acl> acl, long owner) {
        DataNode parent = tree.get(PathUtil.parent(path));
        TxnHeader h = hdr(NodeKind.isEphemeral(owner) ? owner : 0, 1000 + zxid + 1);
        tree.apply(h, new Txn.Create(path, data, acl, owner, parent.storedCversion() + 1), sink);
        return h.zxid();
    }

    private long create(String path) {
        return create(path, new byte[]{1}, Acl.OPEN, 0);
    }

    private long delete(String path) {
        TxnHeader h = hdr(0, 5000);
        tree.apply(h, new Txn.Delete(path), sink);
        return h.zxid();
    }

    private Stat stat(String path) {
        return tree.get(path).stat();
    }

    @Test
    void initialTree() {
        assertThat(tree.paths()).containsExactlyInAnyOrder("/", "/zookeeper", "/zookeeper/quota",
                "/zookeeper/config");
        assertThat(tree.nodeCount()).isEqualTo(4);
        assertThat(stat("/")).isEqualTo(new Stat(0, 0, 0, 0, 0, -1, 0, 0, 0, 1, 0));
        assertThat(stat("/zookeeper")).isEqualTo(new Stat(0, 0, 0, 0, 0, -2, 0, 0, 0, 2, 0));
        assertThat(stat("/zookeeper/quota")).isEqualTo(new Stat(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(stat("/zookeeper/config")).isEqualTo(new Stat(0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0));
        assertThat(tree.get("/").childNames()).containsExactly("zookeeper");
        assertThat(tree.get("/zookeeper").childNames()).containsExactlyInAnyOrder("quota", "config");
        for (String p : List.of("/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config")) {
            assertThat(tree.get(p).data()).as("data of %s", p).isNotNull().isEmpty();
            assertThat(DataTree.isSpecial(p)).isTrue();
        }
        assertThat(DataTree.isSpecial("/zookeeper/quota/x")).isFalse();
        assertThat(tree.get("/").acl()).isEqualTo(List.of(new Acl(Acl.ALL, Id.ANYONE)));
        assertThat(tree.get("/zookeeper").acl()).isEqualTo(List.of(new Acl(Acl.ALL, Id.ANYONE)));
        assertThat(tree.get("/zookeeper/quota").acl()).isEqualTo(List.of(new Acl(Acl.ALL, Id.ANYONE)));
        assertThat(tree.get("/zookeeper/config").acl()).isEqualTo(List.of(new Acl(Acl.READ, Id.ANYONE)));
        assertThat(tree.descendantCount("/")).isEqualTo(3);
        assertThat(tree.descendantCount("/zookeeper")).isEqualTo(2);
        assertThat(tree.descendantCount("/zookeeper/config")).isZero();
        assertThat(tree.descendantCount("/missing")).isZero();
        assertThat(tree.ephemeralCount()).isZero();
        assertThat(tree.containersAndTtls()).isEmpty();
        assertThat(tree.watchCount()).isZero();
        // ZooKeeper 3.9 reports 44 for a fresh tree: path lengths of "", "/", /zookeeper, /zookeeper/quota and
        // /zookeeper/config (its root is stored under both "" and "/"), no data.
        assertThat(tree.approximateDataSize()).isEqualTo(44);
    }

    @Test
    void createSetsEveryStatField() {
        long z = create("/a", new byte[]{1, 2, 3}, Acl.OPEN, 0);
        Stat s = stat("/a");
        assertThat(s).isEqualTo(new Stat(z, z, 1000 + z, 1000 + z, 0, 0, 0, 0, 3, 0, z));
        // parent: stored cversion +1 and pzxid, but mzxid, mtime and version untouched
        Stat root = stat("/");
        assertThat(root.cversion()).as("2 x 1 creation - 2 children").isEqualTo(0);
        assertThat(root.numChildren()).isEqualTo(2);
        assertThat(root.pzxid()).isEqualTo(z);
        assertThat(root.mzxid()).isZero();
        assertThat(root.mtime()).isZero();
        assertThat(root.version()).isZero();
        assertThat(tree.get("/").storedCversion()).isEqualTo(1);
    }

    @Test
    void createWithNullData() {
        create("/n", null, Acl.OPEN, 0);
        assertThat(tree.get("/n").data()).isNull();
        assertThat(stat("/n").dataLength()).isZero();
        create("/e", new byte[0], Acl.OPEN, 0);
        assertThat(tree.get("/e").data()).isNotNull().isEmpty();
    }

    @Test
    void visibleCversionCountsCreatesAndDeletes() {
        create("/p");
        long c1 = create("/p/a");
        assertThat(stat("/p").cversion()).isEqualTo(1);
        assertThat(stat("/p").pzxid()).isEqualTo(c1);
        long d1 = delete("/p/a");
        assertThat(stat("/p").cversion()).as("create + delete").isEqualTo(2);
        assertThat(stat("/p").pzxid()).isEqualTo(d1);
        assertThat(tree.get("/p").storedCversion()).as("deletes leave the creation count").isEqualTo(1);
        create("/p/b");
        create("/p/c");
        delete("/p/b");
        assertThat(stat("/p").cversion()).isEqualTo(5);
        assertThat(stat("/p").numChildren()).isEqualTo(1);
        assertThat(tree.get("/p").storedCversion()).isEqualTo(3);
    }

    @Test
    void createWithStaleParentCversionKeepsParentStat() {
        create("/p");
        create("/p/a");
        long z = create("/p/b");
        // a replayed create whose parent count is smaller changes neither cversion nor pzxid
        tree.apply(hdr(0, 1), new Txn.Create("/p/c", null, Acl.OPEN, 0, 1), sink);
        assertThat(tree.get("/p").storedCversion()).isEqualTo(2);
        assertThat(stat("/p").pzxid()).isEqualTo(z);
        assertThat(stat("/p").numChildren()).isEqualTo(3);
    }

    @Test
    void deleteNeverLowersPzxid() {
        create("/p");
        create("/p/a");
        long later = create("/p/b");
        tree.apply(new TxnHeader(0, 1, 3, 0, OpCode.DELETE), new Txn.Delete("/p/a"), sink);
        assertThat(stat("/p").pzxid()).isEqualTo(later);
        assertThat(tree.get("/p/a")).isNull();
    }

    @Test
    void setDataUpdatesVersionMzxidMtimeOnly() {
        long c = create("/d", new byte[]{1}, Acl.OPEN, 0);
        TxnHeader h = hdr(0, 777);
        tree.apply(h, new Txn.SetData("/d", new byte[]{1, 2, 3, 4}, 1), sink);
        assertThat(stat("/d")).isEqualTo(new Stat(c, h.zxid(), 1000 + c, 777, 1, 0, 0, 0, 4, 0, c));
        tree.apply(hdr(0, 778), new Txn.SetData("/d", null, 2), sink);
        assertThat(tree.get("/d").data()).isNull();
        assertThat(stat("/d").dataLength()).isZero();
        assertThat(stat("/d").version()).isEqualTo(2);
    }

    @Test
    void setAclChangesAclAndAversionOnly() {
        long c = create("/a");
        Stat before = stat("/a");
        List<Acl> acl = List.of(new Acl(Acl.READ, new Id("digest", "bob:x")));
        tree.apply(hdr(0, 9999), new Txn.SetAcl("/a", acl, 1), sink);
        Stat after = stat("/a");
        assertThat(tree.get("/a").acl()).isEqualTo(acl);
        assertThat(after.aversion()).isEqualTo(1);
        assertThat(after.mzxid()).as("setACL leaves mzxid").isEqualTo(c);
        assertThat(after.mtime()).isEqualTo(before.mtime());
        assertThat(after.version()).isEqualTo(before.version());
        assertThat(after.pzxid()).isEqualTo(before.pzxid());
    }

    @Test
    void ephemeralsAreIndexedPerSessionAndRemovedByCloseSession() {
        create("/app");
        create("/app/e1", null, Acl.OPEN, S1);
        create("/app/e2", null, Acl.OPEN, S1);
        create("/app/f1", null, Acl.OPEN, S2);
        create("/app/p", null, Acl.OPEN, 0);
        assertThat(stat("/app/e1").ephemeralOwner()).isEqualTo(S1);
        assertThat(stat("/app/p").ephemeralOwner()).isZero();
        assertThat(tree.ephemeralsOf(S1)).containsExactlyInAnyOrder("/app/e1", "/app/e2");
        assertThat(tree.ephemeralsOf(S2)).containsExactly("/app/f1");
        assertThat(tree.ephemeralsOf(0x77)).isEmpty();
        assertThat(tree.ephemeralCount()).isEqualTo(3);
        assertThat(tree.allEphemerals()).isEqualTo(Map.of(S1, Set.of("/app/e1", "/app/e2"),
                S2, Set.of("/app/f1")));

        W watcher = new W("w");
        tree.dataWatches().add("/app/e1", watcher, WatchMode.STANDARD);
        tree.childWatches().add("/app", watcher, WatchMode.STANDARD);
        events.clear();
        TxnHeader close = new TxnHeader(S1, 0, ++zxid, 1, OpCode.CLOSE_SESSION);
        tree.apply(close, new Txn.CloseSession(), sink);

        assertThat(tree.get("/app/e1")).isNull();
        assertThat(tree.get("/app/e2")).isNull();
        assertThat(tree.get("/app/f1")).isNotNull();
        assertThat(tree.ephemeralsOf(S1)).isEmpty();
        assertThat(tree.ephemeralCount()).isEqualTo(1);
        assertThat(tree.allEphemerals()).containsOnlyKeys(S2);
        assertThat(stat("/app").pzxid()).isEqualTo(close.zxid());
        assertThat(stat("/app").numChildren()).isEqualTo(2);
        assertThat(events).contains(new Event(watcher, EventType.NODE_DELETED, "/app/e1", close.zxid()),
                new Event(watcher, EventType.NODE_CHILDREN_CHANGED, "/app", close.zxid()));
        assertThat(events).as("the one-shot child watch fires once").hasSize(2);

        // closing a session without ephemerals, or twice, changes nothing
        tree.apply(new TxnHeader(S1, 0, ++zxid, 1, OpCode.CLOSE_SESSION), new Txn.CloseSession(), sink);
        assertThat(tree.nodeCount()).isEqualTo(7);
    }

    @Test
    void deletingAnEphemeralUnindexesIt() {
        create("/e", null, Acl.OPEN, S1);
        delete("/e");
        assertThat(tree.ephemeralsOf(S1)).isEmpty();
        assertThat(tree.allEphemerals()).isEmpty();
    }

    @Test
    void containersAndTtlsAreTrackedAndHidden() {
        create("/c", null, Acl.OPEN, NodeKind.CONTAINER);
        long ttlOwner = NodeKind.ttlOwner(60_000);
        create("/t", null, Acl.OPEN, ttlOwner);
        assertThat(tree.containersAndTtls()).containsExactlyInAnyOrder("/c", "/t");
        assertThat(stat("/c").ephemeralOwner()).as("container marker hidden").isZero();
        assertThat(stat("/t").ephemeralOwner()).as("TTL marker hidden").isZero();
        assertThat(tree.get("/c").rawEphemeralOwner()).isEqualTo(Long.MIN_VALUE);
        assertThat(NodeKind.ttl(tree.get("/t").rawEphemeralOwner())).isEqualTo(60_000);
        assertThat(tree.ephemeralCount()).isZero();
        delete("/c");
        assertThat(tree.containersAndTtls()).containsExactly("/t");
        delete("/t");
        assertThat(tree.containersAndTtls()).isEmpty();
    }

    @Test
    void nodeKinds() {
        assertThat(NodeKind.isContainer(NodeKind.CONTAINER)).isTrue();
        assertThat(NodeKind.isTtl(NodeKind.CONTAINER)).isFalse();
        assertThat(NodeKind.isEphemeral(NodeKind.CONTAINER)).isFalse();
        long ttl = NodeKind.ttlOwner(NodeKind.MAX_TTL);
        assertThat(ttl).isEqualTo(0xFF00_00FF_FFFF_FFFFL);
        assertThat(NodeKind.isTtl(ttl)).isTrue();
        assertThat(NodeKind.isEphemeral(ttl)).isFalse();
        assertThat(NodeKind.ttl(ttl)).isEqualTo(NodeKind.MAX_TTL);
        assertThat(NodeKind.isEphemeral(S1)).isTrue();
        assertThat(NodeKind.isEphemeral(0)).isFalse();
        assertThat(NodeKind.visibleOwner(S1)).isEqualTo(S1);
        assertThat(NodeKind.visibleOwner(ttl)).isZero();
        assertThat(NodeKind.visibleOwner(NodeKind.CONTAINER)).isZero();
    }

    @Test
    void approximateDataSizeFollowsPathsAndData() {
        long base = tree.approximateDataSize();
        create("/abc", new byte[10], Acl.OPEN, 0);
        assertThat(tree.approximateDataSize()).isEqualTo(base + 4 + 10);
        create("/abc/d", null, Acl.OPEN, 0);
        assertThat(tree.approximateDataSize()).isEqualTo(base + 4 + 10 + 6);
        tree.apply(hdr(0, 1), new Txn.SetData("/abc", new byte[3], 1), sink);
        assertThat(tree.approximateDataSize()).isEqualTo(base + 4 + 3 + 6);
        tree.apply(hdr(0, 1), new Txn.SetData("/abc/d", new byte[7], 1), sink);
        assertThat(tree.approximateDataSize()).isEqualTo(base + 4 + 3 + 6 + 7);
        delete("/abc/d");
        delete("/abc");
        assertThat(tree.approximateDataSize()).isEqualTo(base);
    }

    @Test
    void descendantCount() {
        create("/a");
        create("/a/b");
        create("/a/b/c");
        create("/a/d");
        assertThat(tree.descendantCount("/a")).isEqualTo(3);
        assertThat(tree.descendantCount("/a/b")).isEqualTo(1);
        assertThat(tree.descendantCount("/")).isEqualTo(7);
        assertThat(tree.nodeCount()).isEqualTo(8);
    }

    @Test
    void multiAppliesEverySubTxnWithOneHeader() {
        TxnHeader h = new TxnHeader(S1, 3, ++zxid, 4242, OpCode.MULTI);
        tree.apply(h, new Txn.Multi(List.of(
                new Txn.Create("/m", new byte[]{1}, Acl.OPEN, 0, 1),
                new Txn.Create("/m/x", null, Acl.OPEN, S1, 1),
                new Txn.SetData("/m", new byte[]{2, 2}, 1),
                new Txn.CheckVersion("/m", 1))), sink);
        assertThat(stat("/m")).isEqualTo(new Stat(h.zxid(), h.zxid(), 4242, 4242, 1, 1, 0, 0, 2, 1, h.zxid()));
        assertThat(stat("/m/x").czxid()).isEqualTo(h.zxid());
        assertThat(stat("/m/x").ctime()).isEqualTo(4242);
        assertThat(tree.ephemeralsOf(S1)).containsExactly("/m/x");
    }

    @Test
    void errorCheckAndSessionTxnsChangeNothing() {
        Stat before = stat("/");
        tree.apply(hdr(0, 1), new Txn.Error(-101), sink);
        tree.apply(hdr(0, 1), new Txn.CheckVersion("/", 0), sink);
        tree.apply(hdr(S1, 1), new Txn.CreateSession(4000), sink);
        assertThat(stat("/")).isEqualTo(before);
        assertThat(tree.nodeCount()).isEqualTo(4);
        assertThat(events).isEmpty();
    }

    // ---- watches through the tree ----

    @Test
    void createFiresNodeCreatedThenParentChildrenChanged() {
        create("/p");
        W exists = new W("exists");
        W children = new W("children");
        tree.dataWatches().add("/p/a", exists, WatchMode.STANDARD);
        tree.childWatches().add("/p", children, WatchMode.STANDARD);
        events.clear();
        long z = create("/p/a");
        assertThat(events).containsExactly(new Event(exists, EventType.NODE_CREATED, "/p/a", z),
                new Event(children, EventType.NODE_CHILDREN_CHANGED, "/p", z));
        assertThat(tree.watchCount()).as("standard watches are consumed").isZero();
        events.clear();
        create("/p/b");
        assertThat(events).isEmpty();
    }

    @Test
    void deleteGivesOneNodeDeletedPerWatcherAcrossBothTables() {
        create("/p");
        create("/p/a");
        W both = new W("both");
        W childOnly = new W("childOnly");
        W parent = new W("parent");
        tree.dataWatches().add("/p/a", both, WatchMode.STANDARD);
        tree.childWatches().add("/p/a", both, WatchMode.STANDARD);
        tree.childWatches().add("/p/a", childOnly, WatchMode.STANDARD);
        tree.childWatches().add("/p", parent, WatchMode.STANDARD);
        events.clear();
        long z = delete("/p/a");
        assertThat(events).containsExactly(new Event(both, EventType.NODE_DELETED, "/p/a", z),
                new Event(childOnly, EventType.NODE_DELETED, "/p/a", z),
                new Event(parent, EventType.NODE_CHILDREN_CHANGED, "/p", z));
        assertThat(tree.watchCount()).isZero();
    }

    @Test
    void setDataFiresDataChangedOnlyOnThatNode() {
        create("/a");
        create("/a/b");
        W w = new W("w");
        W child = new W("child");
        tree.dataWatches().add("/a/b", w, WatchMode.STANDARD);
        tree.childWatches().add("/a", child, WatchMode.STANDARD);
        events.clear();
        TxnHeader h = hdr(0, 1);
        tree.apply(h, new Txn.SetData("/a/b", null, 1), sink);
        assertThat(events).containsExactly(new Event(w, EventType.NODE_DATA_CHANGED, "/a/b", h.zxid()));
    }

    @Test
    void setAclFiresNothing() {
        create("/a");
        W w = new W("w");
        tree.dataWatches().add("/a", w, WatchMode.STANDARD);
        tree.apply(hdr(0, 1), new Txn.SetAcl("/a", Acl.READ_ONLY, 1), sink);
        assertThat(events).isEmpty();
        assertThat(tree.dataWatches().contains("/a", w, m -> m == WatchMode.STANDARD)).isTrue();
    }

    @Test
    void recursiveWatchSeesDescendantsButNeverChildrenChanged() {
        create("/r");
        W rec = new W("rec");
        tree.dataWatches().add("/r", rec, WatchMode.PERSISTENT_RECURSIVE);
        events.clear();
        long c1 = create("/r/a");
        long c2 = create("/r/a/b");
        TxnHeader s = hdr(0, 1);
        tree.apply(s, new Txn.SetData("/r/a/b", null, 1), sink);
        long d = delete("/r/a/b");
        TxnHeader s2 = hdr(0, 1);
        tree.apply(s2, new Txn.SetData("/r", null, 1), sink);
        create("/rx"); // a sibling sharing the prefix is not a descendant
        assertThat(events).containsExactly(
                new Event(rec, EventType.NODE_CREATED, "/r/a", c1),
                new Event(rec, EventType.NODE_CREATED, "/r/a/b", c2),
                new Event(rec, EventType.NODE_DATA_CHANGED, "/r/a/b", s.zxid()),
                new Event(rec, EventType.NODE_DELETED, "/r/a/b", d),
                new Event(rec, EventType.NODE_DATA_CHANGED, "/r", s2.zxid()));
    }

    @Test
    void persistentWatchSeesAllFourTypesOnItsOwnPathOnly() {
        W p = new W("p");
        tree.dataWatches().add("/x", p, WatchMode.PERSISTENT);
        tree.childWatches().add("/x", p, WatchMode.PERSISTENT);
        long c = create("/x");
        long cc = create("/x/y");
        create("/x/y/z");
        TxnHeader s = hdr(0, 1);
        tree.apply(s, new Txn.SetData("/x", null, 1), sink);
        delete("/x/y/z");
        long dd = delete("/x/y");
        long d = delete("/x");
        assertThat(events).containsExactly(
                new Event(p, EventType.NODE_CREATED, "/x", c),
                new Event(p, EventType.NODE_CHILDREN_CHANGED, "/x", cc),
                new Event(p, EventType.NODE_DATA_CHANGED, "/x", s.zxid()),
                new Event(p, EventType.NODE_CHILDREN_CHANGED, "/x", dd),
                new Event(p, EventType.NODE_DELETED, "/x", d));
        assertThat(tree.dataWatches().contains("/x", p, m -> m == WatchMode.PERSISTENT)).isTrue();
    }

    @Test
    void overlappingWatchesGiveOneEventAndConsumeTheStandardOnes() {
        create("/a");
        W w = new W("w");
        tree.dataWatches().add("/a", w, WatchMode.STANDARD);
        tree.dataWatches().add("/a", w, WatchMode.PERSISTENT);
        tree.dataWatches().add("/", w, WatchMode.PERSISTENT_RECURSIVE);
        events.clear();
        TxnHeader h = hdr(0, 1);
        tree.apply(h, new Txn.SetData("/a", null, 1), sink);
        assertThat(events).containsExactly(new Event(w, EventType.NODE_DATA_CHANGED, "/a", h.zxid()));
        assertThat(tree.dataWatches().contains("/a", w, m -> m == WatchMode.STANDARD)).isFalse();
        assertThat(tree.dataWatches().contains("/a", w, m -> m == WatchMode.PERSISTENT)).isTrue();
    }

    @Test
    void watchersWithoutReadGetNoEventButTheWatchIsConsumed() {
        Id alice = new Id("digest", "alice:hash");
        List<Acl> aliceOnly = List.of(new Acl(Acl.ALL, alice));
        create("/secret", null, aliceOnly, 0);
        W stranger = new W("stranger", new Id("ip", "127.0.0.1"));
        W owner = new W("owner", new Id("ip", "127.0.0.1"), alice);
        W root = new W("root", new Id("super", ""));
        W writeOnly = new W("writeOnly", new Id("digest", "wo"));
        tree.apply(hdr(0, 1), new Txn.SetAcl("/secret", List.of(new Acl(Acl.ALL, alice),
                new Acl(Acl.WRITE | Acl.DELETE, new Id("digest", "wo"))), 1), sink);
        for (W w : List.of(stranger, owner, root, writeOnly)) {
            tree.dataWatches().add("/secret", w, WatchMode.STANDARD);
        }
        events.clear();
        TxnHeader h = hdr(0, 1);
        tree.apply(h, new Txn.SetData("/secret", null, 1), sink);
        assertThat(events).extracting(Event::watcher).containsExactly(owner, root);
        assertThat(tree.dataWatches().size()).as("all standard watches consumed, delivered or not").isZero();
    }

    @Test
    void childrenChangedIsFilteredByTheParentsAcl() {
        Id alice = new Id("digest", "alice:hash");
        create("/private", null, List.of(new Acl(Acl.ALL, alice)), 0);
        W stranger = new W("stranger", new Id("ip", "10.1.1.1"));
        W owner = new W("owner", alice);
        tree.childWatches().add("/private", stranger, WatchMode.PERSISTENT);
        tree.childWatches().add("/private", owner, WatchMode.PERSISTENT);
        tree.dataWatches().add("/private/open", stranger, WatchMode.STANDARD);
        events.clear();
        long z = create("/private/open", null, Acl.OPEN, 0);
        // the open child's NodeCreated goes to the stranger; the parent's ChildrenChanged only to the owner
        assertThat(events).containsExactly(new Event(stranger, EventType.NODE_CREATED, "/private/open", z),
                new Event(owner, EventType.NODE_CHILDREN_CHANGED, "/private", z));
    }

    @Test
    void nodeDeletedIsFilteredByTheDeletedNodesAcl() {
        Id alice = new Id("digest", "alice:hash");
        create("/s", null, List.of(new Acl(Acl.READ, alice)), 0);
        W stranger = new W("stranger");
        W owner = new W("owner", alice);
        tree.dataWatches().add("/s", stranger, WatchMode.STANDARD);
        tree.childWatches().add("/s", stranger, WatchMode.STANDARD);
        tree.childWatches().add("/s", owner, WatchMode.STANDARD);
        events.clear();
        long z = delete("/s");
        assertThat(events).containsExactly(new Event(owner, EventType.NODE_DELETED, "/s", z));
    }

    @Test
    void removeWatcherDropsEverythingOfThatConnection() {
        create("/a");
        W gone = new W("gone");
        W stays = new W("stays");
        tree.dataWatches().add("/a", gone, WatchMode.STANDARD);
        tree.dataWatches().add("/", gone, WatchMode.PERSISTENT_RECURSIVE);
        tree.childWatches().add("/a", gone, WatchMode.PERSISTENT);
        tree.dataWatches().add("/a", stays, WatchMode.STANDARD);
        assertThat(tree.watchCount()).isEqualTo(4);
        tree.removeWatcher(gone);
        assertThat(tree.watchCount()).isEqualTo(1);
        events.clear();
        TxnHeader h = hdr(0, 1);
        tree.apply(h, new Txn.SetData("/a", null, 1), sink);
        create("/a/b");
        assertThat(events).containsExactly(new Event(stays, EventType.NODE_DATA_CHANGED, "/a", h.zxid()));
    }
}
