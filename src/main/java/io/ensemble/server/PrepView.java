package io.ensemble.server;

import io.ensemble.tree.DataNode;
import io.ensemble.tree.DataTree;
import io.ensemble.wire.Acl;
import io.ensemble.wire.Err;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tree as preparation sees it: the applied tree, under the changes a leader has proposed but not yet committed
 * ({@link OutstandingChanges}), under the changes of earlier ops of the same write (a multi's). ZooKeeper keeps the
 * same overlay as "outstanding changes".
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

    static final NodeInfo DELETED = new NodeInfo(null, 0, 0, 0, 0, 0);

    private final DataTree tree;
    private final OutstandingChanges outstanding;
    private final Map<String, NodeInfo> changes = new HashMap<>();

    /** @param outstanding a leader's proposed changes, or null where every write is applied as it is prepared */
    PrepView(DataTree tree, OutstandingChanges outstanding) {
        this.tree = tree;
        this.outstanding = outstanding;
    }

    /** The node, or null if it does not exist. */
    NodeInfo find(String path) {
        NodeInfo changed = changes.get(path);
        if (changed == null && outstanding != null) {
            changed = outstanding.find(path);
        }
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

    /** What this write changed, for {@link OutstandingChanges#record}. */
    Map<String, NodeInfo> changes() {
        return changes;
    }
}
