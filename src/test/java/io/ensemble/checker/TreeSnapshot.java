package io.ensemble.checker;

import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every znode one server holds (except the {@code /zookeeper} subtree), and a digest of it. A fault test takes one per
 * server after healing: equal digests mean the replicas converged, and any one of them is the final state the
 * {@link Checker} compares the history with. A path that is not in the snapshot does not exist.
 */
public final class TreeSnapshot {
    /** One znode: its data (UTF-8), data version and zxids. */
    public record Node(String value, long version, long czxid, long mzxid) {
    }

    private final SortedMap<String, Node> nodes;

    private TreeSnapshot(SortedMap<String, Node> nodes) {
        this.nodes = nodes;
    }

    public static TreeSnapshot of(Map<String, Node> nodes) {
        return new TreeSnapshot(new TreeMap<>(nodes));
    }

    public static TreeSnapshot empty() {
        return of(Map.of());
    }

    /**
     * Walks the tree of the ONE server {@code zk} is connected to, after {@code sync()} so that it has applied
     * everything the leader committed before the call. Only meaningful once writes have stopped.
     */
    public static TreeSnapshot take(ZooKeeper zk) throws KeeperException, InterruptedException {
        zk.sync("/");
        SortedMap<String, Node> nodes = new TreeMap<>();
        Deque<String> pending = new ArrayDeque<>(List.of("/"));
        while (!pending.isEmpty()) {
            String path = pending.pop();
            try {
                Stat stat = new Stat();
                byte[] data = zk.getData(path, false, stat);
                nodes.put(path, new Node(RecordingZooKeeper.text(data), stat.getVersion(), stat.getCzxid(),
                        stat.getMzxid()));
                for (String child : zk.getChildren(path, false)) {
                    String childPath = path.equals("/") ? "/" + child : path + "/" + child;
                    if (!childPath.equals("/zookeeper")) {
                        pending.push(childPath);
                    }
                }
            } catch (KeeperException.NoNodeException raced) {
                // deleted while we walked: writes have not stopped, and the digests will tell
            }
        }
        return new TreeSnapshot(nodes);
    }

    public Optional<Node> node(String path) {
        return Optional.ofNullable(nodes.get(path));
    }

    public SortedMap<String, Node> nodes() {
        return nodes;
    }

    /** SHA-256 over path, data and data version of every node, in path order. */
    public String digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, Node> e : nodes.entrySet()) {
                String line = e.getKey() + '\0' + e.getValue().value() + '\0' + e.getValue().version() + '\n';
                sha.update(line.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Paths whose data or version differ between the two snapshots (present in one only counts), in path order. */
    public List<String> differences(TreeSnapshot other) {
        TreeSet<String> paths = new TreeSet<>(nodes.keySet());
        paths.addAll(other.nodes.keySet());
        List<String> out = new ArrayList<>();
        for (String path : paths) {
            Node a = nodes.get(path);
            Node b = other.nodes.get(path);
            boolean same = a != null && b != null && a.value().equals(b.value()) && a.version() == b.version();
            if (!same) {
                out.add(path + ": " + describe(a) + " vs " + describe(b));
            }
        }
        return out;
    }

    private static String describe(Node n) {
        return n == null ? "absent" : "\"" + n.value() + "\" v" + n.version();
    }

    @Override
    public String toString() {
        return nodes.size() + " nodes, digest " + digest().substring(0, 16);
    }
}
