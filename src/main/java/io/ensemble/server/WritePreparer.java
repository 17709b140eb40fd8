package io.ensemble.server;

import io.ensemble.auth.AclCheck;
import io.ensemble.config.ServerConfig;
import io.ensemble.session.Session;
import io.ensemble.storage.Storage;
import io.ensemble.tree.DataTree;
import io.ensemble.tree.NodeKind;
import io.ensemble.tree.PathUtil;
import io.ensemble.txn.Txn;
import io.ensemble.txn.TxnCodec;
import io.ensemble.wire.Acl;
import io.ensemble.wire.Err;
import io.ensemble.wire.Id;
import io.ensemble.wire.OpCode;
import io.ensemble.wire.Requests;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a write request into a {@link Txn}, checking it in the order ZooKeeper's PrepRequestProcessor does, so
 * that a client sees the same error code for the same mistake. Reads the tree, never changes it.
 */
final class WritePreparer {
    private final DataTree tree;
    private final ServerConfig config;
    private final int maxTxnBytes;

    WritePreparer(DataTree tree, ServerConfig config) {
        this.tree = tree;
        this.config = config;
        this.maxTxnBytes = Storage.maxEntryBytes(config.juteMaxBuffer());
    }

    /** A prepared write and the node changes it will make once applied (none if it was refused). */
    record Prepared(Txn txn, Map<String, PrepView.NodeInfo> changes) {
    }

    /** Prepares a single write or a whole multi; a refused write becomes an error transaction. */
    Txn prepare(int type, Requests.Body body, Session session, Collection<Id> ids) {
        return prepare(type, body, session, ids, null).txn();
    }

    /** As {@link #prepare(int, Requests.Body, Session, Collection)}, against a leader's outstanding changes. */
    Prepared prepare(int type, Requests.Body body, Session session, Collection<Id> ids,
                     OutstandingChanges outstanding) {
        PrepView view = new PrepView(tree, outstanding);
        Txn txn;
        if (body instanceof Requests.Multi multi) {
            txn = prepareMulti(multi, view, session, ids);
        } else {
            try {
                txn = prepareOne(type, body, view, session, ids);
            } catch (PrepException e) {
                txn = new Txn.Error(e.err);
            }
        }
        if (!refused(txn) && tooLarge(txn)) {
            txn = body instanceof Requests.Multi multi ? failedMulti(multi.ops().size(), 0, Err.BAD_ARGUMENTS)
                    : new Txn.Error(Err.BAD_ARGUMENTS);
        }
        return new Prepared(txn, refused(txn) ? Map.of() : view.changes());
    }

    /**
     * Whether the transaction would be larger than the log reads back (it can outgrow its request: sequential
     * names, "auth" ACLs expanded to the session's ids). Logged, it would stop the server from starting again.
     */
    private boolean tooLarge(Txn txn) {
        return TxnCodec.encodedSize(txn) > maxTxnBytes;
    }

    /** A closeSession deletes the session's ephemerals when applied; later writes must already see them gone. */
    Prepared prepareCloseSession(long sessionId, OutstandingChanges outstanding) {
        PrepView view = new PrepView(tree, outstanding);
        Set<String> paths = new HashSet<>(tree.ephemeralsOf(sessionId));
        paths.addAll(outstanding.ephemeralsOf(sessionId).keySet());
        for (String path : paths) {
            if (view.find(path) != null) {
                view.delete(path);
                String parentPath = PathUtil.parent(path);
                PrepView.NodeInfo parent = view.find(parentPath);
                if (parent != null) {
                    view.put(parentPath, parent.withChildDeleted());
                }
            }
        }
        return new Prepared(new Txn.CloseSession(), view.changes());
    }

    private static boolean refused(Txn txn) {
        return txn instanceof Txn.Error
                || (txn instanceof Txn.Multi m && !m.txns().isEmpty() && m.txns().getFirst() instanceof Txn.Error);
    }

    /** Every op checked against the effects of the earlier ones; the first failure fails them all. */
    private Txn prepareMulti(Requests.Multi multi, PrepView view, Session session, Collection<Id> ids) {
        List<Txn> txns = new ArrayList<>(multi.ops().size());
        int failedAt = -1;
        int failure = Err.OK;
        for (Requests.Op op : multi.ops()) {
            try {
                txns.add(prepareOne(op.type(), op.body(), view, session, ids));
            } catch (PrepException e) {
                failedAt = txns.size();
                failure = e.err;
                break;
            }
        }
        if (failedAt < 0) {
            return new Txn.Multi(txns);
        }
        return failedMulti(multi.ops().size(), failedAt, failure);
    }

    private static Txn failedMulti(int ops, int failedAt, int failure) {
        List<Txn> errors = new ArrayList<>(ops);
        for (int i = 0; i < ops; i++) {
            int err = i < failedAt ? Err.OK : i == failedAt ? failure : Err.RUNTIME_INCONSISTENCY;
            errors.add(new Txn.Error(err));
        }
        return new Txn.Multi(errors);
    }

    private Txn prepareOne(int type, Requests.Body body, PrepView view, Session session, Collection<Id> ids)
            throws PrepException {
        return switch (body) {
            case Requests.Create c -> create(type, c, view, session, ids);
            case Requests.Delete d -> delete(d, view, session, ids);
            case Requests.SetData s -> setData(s, view, session, ids);
            case Requests.SetAcl s -> setAcl(s, view, session, ids);
            case Requests.CheckVersion c -> check(c, view, session, ids);
            case Requests.PathOnly p when type == OpCode.DELETE_CONTAINER -> deleteContainer(p.path(), view);
            default -> throw new PrepException(Err.MARSHALLING_ERROR);
        };
    }

    private Txn create(int type, Requests.Create req, PrepView view, Session session, Collection<Id> ids)
            throws PrepException {
        int flags = req.flags();
        if (flags < 0 || flags > 6) {
            throw new PrepException(Err.BAD_ARGUMENTS);
        }
        boolean ttlMode = flags == 5 || flags == 6;
        if (ttlMode && !config.extendedTypesEnabled()) {
            throw new PrepException(Err.UNIMPLEMENTED);
        }
        if (ttlMode ? req.ttl() <= 0 || req.ttl() > NodeKind.MAX_TTL : req.ttl() >= 0) {
            throw new PrepException(Err.BAD_ARGUMENTS);
        }
        checkSession(session);
        String path = req.path();
        int lastSlash = path == null ? -1 : path.lastIndexOf('/');
        if (lastSlash < 0 || path.indexOf('\0') >= 0) {
            throw new PrepException(Err.BAD_ARGUMENTS);
        }
        List<Acl> acl = AclFixup.fixup(req.acl(), ids);
        String parentPath = lastSlash == 0 ? "/" : path.substring(0, lastSlash);
        PrepView.NodeInfo parent = view.get(parentPath);
        checkAcl(parent.acl(), Acl.CREATE, ids);
        boolean sequential = flags == 2 || flags == 3 || flags == 6;
        if (sequential) {
            path = path + String.format(Locale.ENGLISH, "%010d", parent.storedCversion());
        }
        if (!PathUtil.isValid(path)) {
            throw new PrepException(Err.BAD_ARGUMENTS);
        }
        if (view.find(path) != null) {
            throw new PrepException(Err.NODE_EXISTS);
        }
        if (NodeKind.isEphemeral(parent.owner())) {
            throw new PrepException(Err.NO_CHILDREN_FOR_EPHEMERALS);
        }
        long owner;
        if (type == OpCode.CREATE_CONTAINER) {
            owner = NodeKind.CONTAINER;
        } else if (type == OpCode.CREATE_TTL) {
            owner = NodeKind.ttlOwner(req.ttl());
        } else {
            owner = flags == 1 || flags == 3 ? session.id() : 0;
        }
        int newCversion = parent.storedCversion() + 1;
        view.put(parentPath, parent.withChildCreated(newCversion));
        view.put(path, new PrepView.NodeInfo(acl, owner, 0, 0, 0, 0));
        return new Txn.Create(path, req.data(), acl, owner, newCversion);
    }

    private Txn delete(Requests.Delete req, PrepView view, Session session, Collection<Id> ids)
            throws PrepException {
        checkSession(session);
        String path = req.path();
        if (path == null || path.lastIndexOf('/') < 0 || path.indexOf('\0') >= 0 || DataTree.isSpecial(path)) {
            throw new PrepException(Err.BAD_ARGUMENTS);
        }
        String parentPath = PathUtil.parent(path);
        PrepView.NodeInfo parent = view.get(parentPath);
        checkAcl(parent.acl(), Acl.DELETE, ids);
        PrepView.NodeInfo node = view.get(path);
        checkVersion(node.version(), req.version());
        if (node.childCount() > 0) {
            throw new PrepException(Err.NOT_EMPTY);
        }
        view.delete(path);
        view.put(parentPath, parent.withChildDeleted());
        return new Txn.Delete(path);
    }

    /** The reaper's delete: only empty containers and TTL nodes, no ACL check. */
    private Txn deleteContainer(String path, PrepView view) throws PrepException {
        if (path == null || path.lastIndexOf('/') < 0 || path.indexOf('\0') >= 0 || DataTree.isSpecial(path)) {
            throw new PrepException(Err.BAD_ARGUMENTS);
        }
        PrepView.NodeInfo node = view.get(path);
        if (node.childCount() > 0) {
            throw new PrepException(Err.NOT_EMPTY);
        }
        if (!NodeKind.isContainer(node.owner()) && !NodeKind.isTtl(node.owner())) {
            throw new PrepException(Err.BAD_VERSION);
        }
        String parentPath = PathUtil.parent(path);
        view.delete(path);
        view.put(parentPath, view.get(parentPath).withChildDeleted());
        return new Txn.Delete(path);
    }

    private Txn setData(Requests.SetData req, PrepView view, Session session, Collection<Id> ids)
            throws PrepException {
        checkSession(session);
        validatePath(req.path());
        PrepView.NodeInfo node = view.get(req.path());
        checkAcl(node.acl(), Acl.WRITE, ids);
        checkVersion(node.version(), req.version());
        int newVersion = node.version() + 1;
        view.put(req.path(), node.withVersion(newVersion));
        return new Txn.SetData(req.path(), req.data(), newVersion);
    }

    private Txn setAcl(Requests.SetAcl req, PrepView view, Session session, Collection<Id> ids)
            throws PrepException {
        checkSession(session);
        validatePath(req.path());
        List<Acl> acl = AclFixup.fixup(req.acl(), ids);
        PrepView.NodeInfo node = view.get(req.path());
        checkAcl(node.acl(), Acl.ADMIN, ids);
        checkVersion(node.aversion(), req.version());
        int newAversion = node.aversion() + 1;
        view.put(req.path(), node.withAcl(acl, newAversion));
        return new Txn.SetAcl(req.path(), acl, newAversion);
    }

    private Txn check(Requests.CheckVersion req, PrepView view, Session session, Collection<Id> ids)
            throws PrepException {
        checkSession(session);
        validatePath(req.path());
        PrepView.NodeInfo node = view.get(req.path());
        checkAcl(node.acl(), Acl.READ, ids);
        checkVersion(node.version(), req.version());
        return new Txn.CheckVersion(req.path(), req.version());
    }

    private static void checkSession(Session session) throws PrepException {
        if (session != null && session.isClosing()) {
            throw new PrepException(Err.SESSION_EXPIRED);
        }
    }

    private static void validatePath(String path) throws PrepException {
        if (!PathUtil.isValid(path)) {
            throw new PrepException(Err.BAD_ARGUMENTS);
        }
    }

    private static void checkVersion(int current, int expected) throws PrepException {
        if (expected != -1 && expected != current) {
            throw new PrepException(Err.BAD_VERSION);
        }
    }

    private static void checkAcl(List<Acl> acl, int perm, Collection<Id> ids) throws PrepException {
        if (!AclCheck.allowed(acl, perm, ids)) {
            throw new PrepException(Err.NO_AUTH);
        }
    }
}
