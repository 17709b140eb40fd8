package io.ensemble.testing;

import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One server's tree as seen through a client, as path -> data and every Stat field, so that replicas can be
 * compared node by node. The caller syncs first; the tree must not change during the walk.
 */
public final class TreeDigest {
    private TreeDigest() {
    }

    /** Every node under {@code root} (itself included) except the subtrees in {@code skip}. */
    public static Map<String, String> of(ZooKeeper zk, String root, Set<String> skip)
            throws KeeperException, InterruptedException {
        Map<String, String> out = new TreeMap<>();
        Deque<String> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            String path = todo.pop();
            if (skip.contains(path)) {
                continue;
            }
            Stat stat = new Stat();
            byte[] data = zk.getData(path, false, stat);
            out.put(path, describe(data, stat));
            List<String> children = zk.getChildren(path, false);
            Collections.sort(children);
            for (String c : children) {
                todo.push(path.equals("/") ? "/" + c : path + "/" + c);
            }
        }
        return out;
    }

    /** How a digest entry names a node's data ({@code "data=" + dataTag(data) + " ..."}). */
    public static String dataTag(byte[] data) {
        return data == null ? "null" : Integer.toHexString(Arrays.hashCode(data)) + "/" + data.length;
    }

    private static String describe(byte[] data, Stat s) {
        return "data=" + dataTag(data)
                + " czxid=" + Long.toHexString(s.getCzxid()) + " mzxid=" + Long.toHexString(s.getMzxid())
                + " pzxid=" + Long.toHexString(s.getPzxid()) + " version=" + s.getVersion()
                + " cversion=" + s.getCversion() + " aversion=" + s.getAversion()
                + " owner=" + Long.toHexString(s.getEphemeralOwner()) + " children=" + s.getNumChildren();
    }

    /** The paths whose entries differ between two digests (missing on one side counts), at most {@code max}. */
    public static List<String> differences(Map<String, String> a, Map<String, String> b, int max) {
        Set<String> all = new java.util.TreeSet<>(a.keySet());
        all.addAll(b.keySet());
        return all.stream().filter(p -> !java.util.Objects.equals(a.get(p), b.get(p)))
                .map(p -> p + ": " + a.get(p) + " <> " + b.get(p)).limit(max).toList();
    }
}
