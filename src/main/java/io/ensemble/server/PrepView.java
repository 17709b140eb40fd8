package io.ensemble.server;

import io.ensemble.tree.DataNode;
import io.ensemble.tree.DataTree;
import io.ensemble.wire.Acl;
import io.ensemble.wire.Err;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tree as preparation sees it: the applied tree plus the changes of earlier ops that are prepared but not yet
 * applied (the earlier ops of the same multi). ZooKeeper keeps the same overlay as "outstanding changes".
 */
final class PrepView {
    /** What preparation needs to know of a node. */
    record NodeInfo(List<Acl> acl, long owner, int version, int aversion, int storedCversion, int childCount) {
        NodeInfo withVersion(int v) {
            return new NodeInfo(acl, owner, v, aversion, storedCversion, childCount);
        }

        NodeInfo withAcl(List<Acl> a, int av) {
            return new NodeInfo(a, owner, version, av, storedCversion, childCount);
        }

        NodeInfo withChildCreated(int cversion) {
            return new NodeInfo(acl, owner, version, aversion, cversion, childCount + 1);
        }

        NodeInfo withChildDeleted() {
            return new NodeInfo(acl, owner, version, aversion, storedCversion, childCount - 1);
        }
    }

    private static final NodeInfo DELETED = new NodeInfo(null, 0, 0, 0, 0, 0);

    private final DataTree tree;
    private final Map<String, NodeInfo> changes = new HashMap<>();

    PrepView(DataTree tree) {
        this.tree = tree;
    }

    /** The node, or null if it does not exist. */
    NodeInfo find(String path) {
        NodeInfo changed = changes.get(path);
        if (changed != null) {
            return changed == DELETED ? null : changed;
        }
        DataNode n = tree.get(path);
        return n == null ? null : new NodeInfo(n.acl(), n.rawEphemeralOwner(), n.version(), n.aversion(),
                n.storedCversion(), n.childCount());
    }

    /** The node, or NONODE. */
    NodeInfo get(String path) throws PrepException {
        NodeInfo n = find(path);
        if (n == null) {
            throw new PrepException(Err.NO_NODE);
        }
        return n;
    }

    void put(String path, NodeInfo info) {
        changes.put(path, info);
    }

    void delete(String path) {
        changes.put(path, DELETED);
    }
}
