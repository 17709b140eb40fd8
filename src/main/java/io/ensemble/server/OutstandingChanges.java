package io.ensemble.server;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A leader's proposed but not yet committed changes (ZooKeeper's outstandingChanges): the next write must be
 * checked against the tree as it will be once everything proposed before it is applied. Each path keeps its latest
 * change and the zxid that made it; a commit drops the changes it made real. Processor thread only.
 */
final class OutstandingChanges {
    private record Change(long zxid, PrepView.NodeInfo info) {
    }

    private record Made(long zxid, String path) {
    }

    private final Map<String, Change> latest = new HashMap<>();
    private final ArrayDeque<Made> inOrder = new ArrayDeque<>();

    /** The outstanding state of {@code path}: null if untouched, {@link PrepView#DELETED} if deleted. */
    PrepView.NodeInfo find(String path) {
        Change c = latest.get(path);
        return c == null ? null : c.info();
    }

    /** Records the changes one prepared write (a whole multi) made under its zxid. */
    void record(long zxid, Map<String, PrepView.NodeInfo> changes) {
        changes.forEach((path, info) -> {
            latest.put(path, new Change(zxid, info));
            inOrder.addLast(new Made(zxid, path));
        });
    }

    /** The tree now holds everything up to {@code zxid}. */
    void committed(long zxid) {
        while (!inOrder.isEmpty() && inOrder.peekFirst().zxid() <= zxid) {
            Made m = inOrder.pollFirst();
            Change c = latest.get(m.path());
            if (c != null && c.zxid() == m.zxid()) {
                latest.remove(m.path());
            }
        }
    }

    /** Every ephemeral of {@code sessionId} that exists only as an outstanding change. */
    Map<String, PrepView.NodeInfo> ephemeralsOf(long sessionId) {
        Map<String, PrepView.NodeInfo> out = new HashMap<>();
        latest.forEach((path, c) -> {
            if (c.info() != PrepView.DELETED && c.info().owner() == sessionId) {
                out.put(path, c.info());
            }
        });
        return out;
    }

    void clear() {
        latest.clear();
        inOrder.clear();
    }
}
