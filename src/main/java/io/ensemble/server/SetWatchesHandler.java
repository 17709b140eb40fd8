package io.ensemble.server;

import io.ensemble.tree.DataNode;
import io.ensemble.tree.DataTree;
import io.ensemble.tree.EventSink;
import io.ensemble.tree.EventType;
import io.ensemble.tree.WatchMode;
import io.ensemble.wire.Requests;

import java.util.List;

/**
 * Restores a reconnecting client's watches. A watch whose node changed since the client's last zxid fires at once
 * (zxid -1, before the reply) instead of being registered; persistent watches come back with no catch-up event.
 */
final class SetWatchesHandler {
    private static final long NO_ZXID = -1;

    private SetWatchesHandler() {
    }

    static void apply(DataTree tree, Requests.SetWatches req, ClientConnection conn, EventSink events) {
        long rel = req.relativeZxid();
        for (String path : orEmpty(req.data())) {
            DataNode node = tree.get(path);
            if (node == null) {
                events.event(conn, EventType.NODE_DELETED, path, NO_ZXID);
            } else if (node.mzxid() > rel) {
                events.event(conn, EventType.NODE_DATA_CHANGED, path, NO_ZXID);
            } else {
                tree.dataWatches().add(path, conn, WatchMode.STANDARD);
            }
        }
        for (String path : orEmpty(req.exist())) {
            if (tree.get(path) != null) {
                events.event(conn, EventType.NODE_CREATED, path, NO_ZXID);
            } else {
                tree.dataWatches().add(path, conn, WatchMode.STANDARD);
            }
        }
        for (String path : orEmpty(req.child())) {
            DataNode node = tree.get(path);
            if (node == null) {
                events.event(conn, EventType.NODE_DELETED, path, NO_ZXID);
            } else if (node.pzxid() > rel) {
                events.event(conn, EventType.NODE_CHILDREN_CHANGED, path, NO_ZXID);
            } else {
                tree.childWatches().add(path, conn, WatchMode.STANDARD);
            }
        }
        for (String path : orEmpty(req.persistent())) {
            tree.dataWatches().add(path, conn, WatchMode.PERSISTENT);
            tree.childWatches().add(path, conn, WatchMode.PERSISTENT);
        }
        for (String path : orEmpty(req.persistentRecursive())) {
            tree.dataWatches().add(path, conn, WatchMode.PERSISTENT_RECURSIVE);
        }
    }

    private static List<String> orEmpty(List<String> l) {
        return l == null ? List.of() : l;
    }
}
