package io.ensemble.txn;

import io.ensemble.wire.Acl;

import java.util.List;

/**
 * A prepared change: everything needed to apply it is decided before it is applied (versions, the parent's new
 * child-creation count, the owner), so applying the same transactions in the same order always gives the same
 * tree. That is what lets a log be replayed and a leader's proposals be applied by followers.
 */
public sealed interface Txn {

    record Create(String path, byte[] data, List<Acl> acl, long ephemeralOwner, int parentCversion)
            implements Txn {
    }

    record Delete(String path) implements Txn {
    }

    record SetData(String path, byte[] data, int version) implements Txn {
    }

    record SetAcl(String path, List<Acl> acl, int aversion) implements Txn {
    }

    /** A passed check inside a multi; changes nothing. */
    record CheckVersion(String path, int version) implements Txn {
    }

    record Multi(List<Txn> txns) implements Txn {
    }

    record CreateSession(int timeout) implements Txn {
    }

    /** Ends the header's session and deletes its ephemerals. */
    record CloseSession() implements Txn {
    }

    /** A write that failed in preparation still takes a zxid, as in ZooKeeper. */
    record Error(int err) implements Txn {
    }
}
