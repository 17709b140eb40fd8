package io.ensemble.tree;

import io.ensemble.auth.AclCheck;
import io.ensemble.txn.Txn;
import io.ensemble.txn.TxnHeader;
import io.ensemble.wire.Acl;

import java.util.function.Consumer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory znode tree and its watches. Applies prepared {@link Txn}s; it never decides whether a change is
 * allowed (that is preparation's job), so applying is deterministic. Single writer: the request-processing
 * thread. The node map is concurrent only so that monitoring threads can read counts.
 */
public final class DataTree {
    public static final String ZOOKEEPER = "/zookeeper";
    public static final String QUOTA = "/zookeeper/quota";
    public static final String CONFIG = "/zookeeper/config";

    private final Map<String, DataNode> nodes = new ConcurrentHashMap<>();
    private final Map<Long, Set<String>> ephemerals = new HashMap<>();
    private final Set<String> containers = new LinkedHashSet<>();
    private final Set<String> ttls = new LinkedHashSet<>();
    private final WatchTable dataWatches = new WatchTable();
    private final WatchTable childWatches = new WatchTable();
    private long approximateDataSize;

    public DataTree() {
        reset();
    }

    /** Back to a fresh server's tree: the root and the /zookeeper nodes only. */
    public void reset() {
        beginRestore();
        nodes.put("/", new DataNode(new byte[0], Acl.OPEN, 0, 0, 0));
        addSpecial(ZOOKEEPER, Acl.OPEN);
        addSpecial(QUOTA, Acl.OPEN);
        addSpecial(CONFIG, Acl.READ_ONLY).aversion = -1;
        // ZooKeeper seeds its size from its node map, where the root is keyed both "" and "/": 1 + 10 + 16 + 17.
        approximateDataSize = 1 + ZOOKEEPER.length() + QUOTA.length() + CONFIG.length();
    }

    private DataNode addSpecial(String path, List<Acl> acl) {
        DataNode node = new DataNode(new byte[0], acl, 0, 0, 0);
        nodes.put(path, node);
        nodes.get(PathUtil.parent(path)).children.add(PathUtil.name(path));
        return node;
    }

    /**
     * Puts an ensemble's membership into /zookeeper/config, as ZooKeeper does at start-up whether or not reconfig
     * is enabled (not a transaction: every server writes it itself): version -1 and mzxid 0 (the config version).
     */
    public void setMembership(byte[] config, long time) {
        DataNode node = nodes.get(CONFIG);
        approximateDataSize += config.length - node.data.length;
        node.data = config;
        node.version = -1;
        node.mzxid = 0;
        node.mtime = time;
    }

    public static boolean isSpecial(String path) {
        return path.equals("/") || path.equals(ZOOKEEPER) || path.equals(QUOTA) || path.equals(CONFIG);
    }

    public DataNode get(String path) {
        return nodes.get(path);
    }

    public int nodeCount() {
        return nodes.size();
    }

    public long approximateDataSize() {
        return approximateDataSize;
    }

    public WatchTable dataWatches() {
        return dataWatches;
    }

    public WatchTable childWatches() {
        return childWatches;
    }

    /** Paths of a session's ephemeral nodes (a copy). */
    public Set<String> ephemeralsOf(long sessionId) {
        Set<String> paths = ephemerals.get(sessionId);
        return paths == null ? Set.of() : Set.copyOf(paths);
    }

    public Map<Long, Set<String>> allEphemerals() {
        Map<Long, Set<String>> copy = new HashMap<>();
        ephemerals.forEach((s, p) -> copy.put(s, Set.copyOf(p)));
        return copy;
    }

    public int ephemeralCount() {
        int n = 0;
        for (Set<String> p : ephemerals.values()) {
            n += p.size();
        }
        return n;
    }

    /** Containers and TTL nodes, the candidates of the reaper. */
    public List<String> containersAndTtls() {
        List<String> out = new ArrayList<>(containers);
        out.addAll(ttls);
        return out;
    }

    /** Number of descendants of a node, not counting itself. */
    public int descendantCount(String path) {
        DataNode node = nodes.get(path);
        if (node == null) {
            return 0;
        }
        int n = 0;
        String prefix = path.equals("/") ? "/" : path + "/";
        for (String child : node.children) {
            n += 1 + descendantCount(prefix + child);
        }
        return n;
    }

    /** Visits every node as it is now; safe from another thread (the node map is concurrent). */
    public void forEachNode(Consumer<NodeImage> visitor) {
        nodes.forEach((path, node) -> visitor.accept(node.image(path)));
    }

    /**
     * Replaces the whole tree with a snapshot's nodes. A node whose parent is missing (possible in a fuzzy
     * snapshot) is dropped: the log replay that follows creates both again.
     */
    public void restore(Collection<NodeImage> images) {
        beginRestore();
        images.forEach(this::restoreNode);
        finishRestore();
    }

    /** Starts a node-by-node restore (a snapshot is streamed, not held in memory twice). */
    public void beginRestore() {
        nodes.clear();
        ephemerals.clear();
        containers.clear();
        ttls.clear();
        approximateDataSize = 0;
    }

    public void restoreNode(NodeImage image) {
        nodes.put(image.path(), DataNode.from(image));
    }

    /** Links children to parents, drops orphans level by level, and rebuilds the indexes. */
    public void finishRestore() {
        if (!nodes.containsKey("/")) {
            throw new IllegalStateException("snapshot has no root node");
        }
        boolean dropped = true;
        while (dropped) {
            dropped = nodes.keySet().removeIf(path -> !path.equals("/") && !nodes.containsKey(PathUtil.parent(path)));
        }
        nodes.forEach((path, node) -> {
            if (!path.equals("/")) {
                nodes.get(PathUtil.parent(path)).children.add(PathUtil.name(path));
            }
            index(path, node);
        });
    }

    private void index(String path, DataNode node) {
        long owner = node.ephemeralOwner;
        if (NodeKind.isContainer(owner)) {
            containers.add(path);
        } else if (NodeKind.isTtl(owner)) {
            ttls.add(path);
        } else if (owner != 0) {
            ephemerals.computeIfAbsent(owner, s -> new LinkedHashSet<>()).add(path);
        }
        approximateDataSize += path.length() + dataLength(node.data);
    }

    private void unindex(String path, DataNode node) {
        long owner = node.ephemeralOwner;
        if (NodeKind.isContainer(owner)) {
            containers.remove(path);
        } else if (NodeKind.isTtl(owner)) {
            ttls.remove(path);
        } else if (owner != 0) {
            Set<String> paths = ephemerals.get(owner);
            if (paths != null) {
                paths.remove(path);
                if (paths.isEmpty()) {
                    ephemerals.remove(owner);
                }
            }
        }
        approximateDataSize -= path.length() + dataLength(node.data);
    }

    public void apply(TxnHeader hdr, Txn txn, EventSink sink) {
        switch (txn) {
            case Txn.Create c -> create(c, hdr, sink);
            case Txn.Delete d -> delete(d.path(), hdr.zxid(), sink);
            case Txn.SetData s -> setData(s, hdr, sink);
            case Txn.SetAcl s -> {
                DataNode node = nodes.get(s.path());
                if (node != null) {
                    node.acl = s.acl();
                    node.aversion = s.aversion();
                }
            }
            case Txn.Multi m -> m.txns().forEach(t -> apply(hdr, t, sink));
            case Txn.CloseSession c -> closeSession(hdr.sessionId(), hdr.zxid(), sink);
            case Txn.CheckVersion c -> { }
            case Txn.CreateSession c -> { }
            case Txn.Error e -> { }
        }
    }

    private void create(Txn.Create c, TxnHeader hdr, EventSink sink) {
        String parentPath = PathUtil.parent(c.path());
        DataNode parent = nodes.get(parentPath);
        if (parent == null) {
            return; // replay over a fuzzy snapshot that already holds the parent's later delete
        }
        if (parent.children.contains(PathUtil.name(c.path()))) {
            // Only in log replay over a fuzzy snapshot: the node is there already; keep the parent's counters.
            childCreated(parent, c.parentCversion(), hdr.zxid());
            return;
        }
        DataNode orphan = nodes.get(c.path());
        if (orphan != null) {
            // Left behind when replay deleted a parent the snapshot already held recreated: this create replaces it.
            unindex(c.path(), orphan);
        }
        DataNode node = new DataNode(c.data(), c.acl(), hdr.zxid(), hdr.time(), c.ephemeralOwner());
        nodes.put(c.path(), node);
        parent.children.add(PathUtil.name(c.path()));
        childCreated(parent, c.parentCversion(), hdr.zxid());
        index(c.path(), node);
        fire(dataWatches, c.path(), EventType.NODE_CREATED, hdr.zxid(), node.acl, Set.of(), sink);
        fire(childWatches, parentPath, EventType.NODE_CHILDREN_CHANGED, hdr.zxid(), parent.acl, Set.of(), sink);
    }

    /**
     * A child creation's mark on its parent: live, {@code cversion} is always the next one. In log replay over a
     * fuzzy snapshot the parent may already hold it, or may have been imaged between the two writes below (the new
     * cversion, the old pzxid), a state no zxid had: the create then completes it.
     */
    private static void childCreated(DataNode parent, int cversion, long zxid) {
        if (cversion > parent.storedCversion || (cversion == parent.storedCversion && zxid > parent.pzxid)) {
            parent.storedCversion = cversion;
            parent.pzxid = zxid;
        }
    }

    private void delete(String path, long zxid, EventSink sink) {
        DataNode node = nodes.remove(path);
        if (node == null) {
            // Only in log replay over a fuzzy snapshot that imaged the parent before this delete and missed the
            // child after it: the parent still takes the delete's pzxid, as it did live.
            DataNode parent = nodes.get(PathUtil.parent(path));
            if (parent != null && zxid > parent.pzxid) {
                parent.pzxid = zxid;
            }
            return;
        }
        String parentPath = PathUtil.parent(path);
        DataNode parent = nodes.get(parentPath);
        parent.children.remove(PathUtil.name(path));
        if (zxid > parent.pzxid) {
            parent.pzxid = zxid;
        }
        unindex(path, node);
        Set<Watcher> told = fire(dataWatches, path, EventType.NODE_DELETED, zxid, node.acl, Set.of(), sink);
        fire(childWatches, path, EventType.NODE_DELETED, zxid, node.acl, told, sink);
        fire(childWatches, parentPath, EventType.NODE_CHILDREN_CHANGED, zxid, parent.acl, Set.of(), sink);
    }

    private void setData(Txn.SetData s, TxnHeader hdr, EventSink sink) {
        DataNode node = nodes.get(s.path());
        if (node == null) {
            return; // replay over a fuzzy snapshot that already holds a later delete
        }
        approximateDataSize += dataLength(s.data()) - dataLength(node.data);
        node.data = s.data();
        node.version = s.version();
        node.mzxid = hdr.zxid();
        node.mtime = hdr.time();
        fire(dataWatches, s.path(), EventType.NODE_DATA_CHANGED, hdr.zxid(), node.acl, Set.of(), sink);
    }

    private void closeSession(long sessionId, long zxid, EventSink sink) {
        Set<String> paths = ephemerals.remove(sessionId);
        if (paths == null) {
            return;
        }
        // Children sort before parents is not needed: ephemerals cannot have children.
        for (String path : List.copyOf(paths)) {
            delete(path, zxid, sink);
        }
    }

    /** Triggers a table and hands events to watchers that may READ the node (the CVE-2024-23944 filter). */
    private static Set<Watcher> fire(WatchTable table, String path, int type, long zxid, List<Acl> acl,
                                     Set<Watcher> skip, EventSink sink) {
        Set<Watcher> watchers = table.trigger(path, type);
        for (Watcher w : watchers) {
            if (!skip.contains(w) && AclCheck.allowed(acl, Acl.READ, w.authIds())) {
                sink.event(w, type, path, zxid);
            }
        }
        return watchers;
    }

    private static int dataLength(byte[] data) {
        return data == null ? 0 : data.length;
    }

    /** Removes all watches of a closed connection. */
    public void removeWatcher(Watcher watcher) {
        dataWatches.removeWatcher(watcher);
        childWatches.removeWatcher(watcher);
    }

    public int watchCount() {
        return dataWatches.size() + childWatches.size();
    }

    /** For tests and reports: every path in the tree. */
    public Collection<String> paths() {
        return List.copyOf(nodes.keySet());
    }
}
