package io.ensemble.server;

import io.ensemble.config.ServerConfig;
import io.ensemble.fault.WallClock;
import io.ensemble.tree.DataNode;
import io.ensemble.tree.DataTree;
import io.ensemble.tree.NodeKind;

/**
 * ZooKeeper's ContainerManager: deletes containers that once had a child and are empty now, and TTL nodes with
 * no children whose mtime is older than their TTL. Runs on the processor thread, so each delete is an ordinary
 * transaction in the global order.
 */
final class ContainerReaper {
    private final DataTree tree;
    private final ServerConfig config;
    private final RequestProcessor processor;

    ContainerReaper(DataTree tree, ServerConfig config, RequestProcessor processor) {
        this.tree = tree;
        this.config = config;
        this.processor = processor;
    }

    void reap() {
        long now = WallClock.millis();
        long budget = Math.max(1, (long) config.containerMaxPerMinute() * config.containerCheckIntervalMs() / 60_000);
        for (String path : tree.containersAndTtls()) {
            if (budget <= 0) {
                return;
            }
            DataNode node = tree.get(path);
            if (node != null && isDue(node, now)) {
                processor.deleteContainer(path);
                budget--;
            }
        }
    }

    private static boolean isDue(DataNode node, long now) {
        if (node.childCount() > 0) {
            return false;
        }
        long owner = node.rawEphemeralOwner();
        if (NodeKind.isContainer(owner)) {
            return node.storedCversion() > 0;
        }
        return NodeKind.isTtl(owner) && now - node.mtime() > NodeKind.ttl(owner);
    }
}
