package io.ensemble.tree;

import io.ensemble.wire.Acl;

import java.util.List;

/** Everything a snapshot keeps of one znode (children are rebuilt from the paths). */
public record NodeImage(String path, byte[] data, List<Acl> acl, long czxid, long mzxid, long ctime, long mtime,
                        int version, int storedCversion, int aversion, long ephemeralOwner, long pzxid) {
}
