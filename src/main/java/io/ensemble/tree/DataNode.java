package io.ensemble.tree;

import io.ensemble.wire.Acl;
import io.ensemble.wire.Stat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One znode. Mutated only by the {@link DataTree} on the request-processing thread. The stored cversion counts
 * child creations only; the visible one is derived in {@link #stat()} as ZooKeeper does.
 */
public final class DataNode {
    byte[] data;
    List<Acl> acl;
    final long czxid;
    long mzxid;
    final long ctime;
    long mtime;
    int version;
    int storedCversion;
    int aversion;
    /** Raw owner: a session id, or the container / TTL markers of {@link NodeKind}. */
    final long ephemeralOwner;
    long pzxid;
    final Set<String> children = new HashSet<>(4);

    DataNode(byte[] data, List<Acl> acl, long zxid, long time, long ephemeralOwner) {
        this.data = data;
        this.acl = acl;
        this.czxid = zxid;
        this.mzxid = zxid;
        this.ctime = time;
        this.mtime = time;
        this.ephemeralOwner = ephemeralOwner;
        this.pzxid = zxid;
    }

    /** A copy of the persisted fields, for a snapshot. Fields may be mid-update: snapshots are fuzzy. */
    NodeImage image(String path) {
        return new NodeImage(path, data, acl, czxid, mzxid, ctime, mtime, version, storedCversion, aversion,
                ephemeralOwner, pzxid);
    }

    static DataNode from(NodeImage i) {
        DataNode n = new DataNode(i.data(), i.acl(), i.czxid(), i.ctime(), i.ephemeralOwner());
        n.mzxid = i.mzxid();
        n.mtime = i.mtime();
        n.version = i.version();
        n.storedCversion = i.storedCversion();
        n.aversion = i.aversion();
        n.pzxid = i.pzxid();
        return n;
    }

    public byte[] data() {
        return data;
    }

    public List<Acl> acl() {
        return acl;
    }

    public int version() {
        return version;
    }

    public int aversion() {
        return aversion;
    }

    public int storedCversion() {
        return storedCversion;
    }

    public long rawEphemeralOwner() {
        return ephemeralOwner;
    }

    public long mzxid() {
        return mzxid;
    }

    public long mtime() {
        return mtime;
    }

    public long pzxid() {
        return pzxid;
    }

    public int childCount() {
        return children.size();
    }

    /** A copy of the child names, safe to hand to another thread. */
    public List<String> childNames() {
        return List.copyOf(children);
    }

    public Stat stat() {
        int numChildren = children.size();
        return new Stat(czxid, mzxid, ctime, mtime, version, 2 * storedCversion - numChildren, aversion,
                NodeKind.visibleOwner(ephemeralOwner), data == null ? 0 : data.length, numChildren, pzxid);
    }
}
