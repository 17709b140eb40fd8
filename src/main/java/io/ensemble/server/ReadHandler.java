package io.ensemble.server;

import io.ensemble.auth.AclCheck;
import io.ensemble.tree.DataNode;
import io.ensemble.tree.DataTree;
import io.ensemble.tree.EventSink;
import io.ensemble.tree.WatchMode;
import io.ensemble.tree.WatchTable;
import io.ensemble.wire.Acl;
import io.ensemble.wire.Err;
import io.ensemble.wire.Id;
import io.ensemble.wire.OpCode;
import io.ensemble.wire.Requests;
import io.ensemble.wire.Responses;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Requests that read the tree or manage a connection's watches. None changes the tree, so none takes a zxid.
 * Errors are returned as a {@link Result} with a code, in ZooKeeper's check order (NONODE before NOAUTH).
 */
final class ReadHandler {
    /** The outcome of a read: an error code, or OK with a body (possibly none). */
    record Result(int err, Responses.Body body) {
        static Result ok(Responses.Body body) {
            return new Result(Err.OK, body);
        }

        static Result error(int err) {
            return new Result(err, null);
        }
    }

    private static final Result OK_EMPTY = Result.ok(null);

    private final DataTree tree;

    ReadHandler(DataTree tree) {
        this.tree = tree;
    }

    Result read(int type, Requests.Body body, ClientConnection conn, EventSink events) {
        return switch (type) {
            case OpCode.EXISTS -> exists((Requests.PathWatch) body, conn);
            case OpCode.GET_DATA -> getData((Requests.PathWatch) body, conn, true);
            case OpCode.GET_CHILDREN, OpCode.GET_CHILDREN2 ->
                    getChildren((Requests.PathWatch) body, conn, type == OpCode.GET_CHILDREN2, true);
            case OpCode.GET_ACL -> getAcl(((Requests.PathOnly) body).path(), conn);
            case OpCode.GET_ALL_CHILDREN_NUMBER -> allChildrenNumber(((Requests.PathOnly) body).path(), conn);
            case OpCode.GET_EPHEMERALS -> ephemerals(((Requests.PathOnly) body).path(), conn);
            case OpCode.SYNC -> Result.ok(new Responses.PathBody(((Requests.PathOnly) body).path()));
            case OpCode.WHO_AM_I -> Result.ok(new Responses.WhoAmIBody(whoAmI(conn)));
            case OpCode.ADD_WATCH -> addWatch((Requests.AddWatch) body, conn);
            case OpCode.CHECK_WATCHES -> watches((Requests.WatchType) body, conn, false);
            case OpCode.REMOVE_WATCHES -> watches((Requests.WatchType) body, conn, true);
            case OpCode.SET_WATCHES, OpCode.SET_WATCHES2 -> {
                SetWatchesHandler.apply(tree, (Requests.SetWatches) body, conn, events);
                yield OK_EMPTY;
            }
            case OpCode.MULTI_READ -> multiRead((Requests.Multi) body, conn);
            case OpCode.SASL -> Result.ok(new Responses.BufferBody(null));
            default -> Result.error(Err.UNIMPLEMENTED);
        };
    }

    /** A node the caller may read, or the error ZooKeeper gives for it: NONODE before NOAUTH. */
    private record Readable(DataNode node, Result error) {
    }

    private Readable readable(String path, ClientConnection conn, int perm) {
        DataNode node = tree.get(path);
        if (node == null) {
            return new Readable(null, Result.error(Err.NO_NODE));
        }
        if (!AclCheck.allowed(node.acl(), perm, conn.authIds())) {
            return new Readable(null, Result.error(Err.NO_AUTH));
        }
        return new Readable(node, null);
    }

    private Result exists(Requests.PathWatch req, ClientConnection conn) {
        String path = req.path();
        if (path == null || path.indexOf('\0') >= 0) {
            return Result.error(Err.BAD_ARGUMENTS);
        }
        DataNode node = tree.get(path);
        if (node != null && !AclCheck.allowed(node.acl(), Acl.READ, conn.authIds())) {
            return Result.error(Err.NO_AUTH);
        }
        if (req.watch()) {
            tree.dataWatches().add(path, conn, WatchMode.STANDARD);
        }
        return node == null ? Result.error(Err.NO_NODE) : Result.ok(new Responses.StatBody(node.stat()));
    }

    private Result getData(Requests.PathWatch req, ClientConnection conn, boolean allowWatch) {
        Readable r = readable(req.path(), conn, Acl.READ);
        if (r.error() != null) {
            return r.error();
        }
        if (allowWatch && req.watch()) {
            tree.dataWatches().add(req.path(), conn, WatchMode.STANDARD);
        }
        return Result.ok(new Responses.DataBody(r.node().data(), r.node().stat()));
    }

    private Result getChildren(Requests.PathWatch req, ClientConnection conn, boolean withStat, boolean allowWatch) {
        Readable r = readable(req.path(), conn, Acl.READ);
        if (r.error() != null) {
            return r.error();
        }
        DataNode node = r.node();
        if (allowWatch && req.watch()) {
            tree.childWatches().add(req.path(), conn, WatchMode.STANDARD);
        }
        List<String> children = node.childNames();
        return Result.ok(withStat ? new Responses.ChildrenStatBody(children, node.stat())
                : new Responses.StringsBody(children));
    }

    private Result getAcl(String path, ClientConnection conn) {
        Readable r = readable(path, conn, Acl.READ | Acl.ADMIN);
        if (r.error() != null) {
            return r.error();
        }
        DataNode node = r.node();
        List<Acl> acl = node.acl();
        if (!AclCheck.allowed(acl, Acl.ADMIN, conn.authIds())) {
            acl = acl.stream().map(ReadHandler::maskDigest).toList();
        }
        return Result.ok(new Responses.AclBody(acl, node.stat()));
    }

    /** Without ADMIN a caller sees digest ids as "user:x", never the hash. */
    private static Acl maskDigest(Acl a) {
        if (!"digest".equals(a.id().scheme())) {
            return a;
        }
        String id = a.id().id();
        int colon = id.indexOf(':');
        return new Acl(a.perms(), new Id("digest", (colon < 0 ? id : id.substring(0, colon)) + ":x"));
    }

    private Result allChildrenNumber(String path, ClientConnection conn) {
        Readable r = readable(path, conn, Acl.READ);
        if (r.error() != null) {
            return r.error();
        }
        return Result.ok(new Responses.IntBody(tree.descendantCount(path)));
    }

    private Result ephemerals(String prefix, ClientConnection conn) {
        boolean all = prefix == null || prefix.isBlank() || prefix.equals("/");
        List<String> out = new ArrayList<>();
        for (String p : tree.ephemeralsOf(conn.session().id())) {
            if (all || p.startsWith(prefix)) {
                out.add(p);
            }
        }
        return Result.ok(new Responses.StringsBody(out));
    }

    private static List<Id> whoAmI(ClientConnection conn) {
        List<Id> out = new ArrayList<>();
        for (Id id : conn.authIds()) {
            String user = switch (id.scheme()) {
                case "digest" -> id.id().contains(":") ? id.id().substring(0, id.id().indexOf(':')) : id.id();
                case "ip" -> id.id();
                default -> "";
            };
            out.add(new Id(id.scheme(), user));
        }
        return out;
    }

    private Result addWatch(Requests.AddWatch req, ClientConnection conn) {
        switch (req.mode()) {
            case 0 -> {
                tree.dataWatches().add(req.path(), conn, WatchMode.PERSISTENT);
                tree.childWatches().add(req.path(), conn, WatchMode.PERSISTENT);
            }
            case 1 -> tree.dataWatches().add(req.path(), conn, WatchMode.PERSISTENT_RECURSIVE);
            default -> {
                return Result.error(Err.MARSHALLING_ERROR);
            }
        }
        return Result.ok(new Responses.IntBody(0));
    }

    /** checkWatches and removeWatches, by WatcherType: 1 children, 2 data, 3 any, 4 persistent, 5 recursive. */
    private Result watches(Requests.WatchType req, ClientConnection conn, boolean remove) {
        Predicate<WatchMode> standard = m -> m == WatchMode.STANDARD;
        Predicate<WatchMode> persistent = m -> m == WatchMode.PERSISTENT;
        Predicate<WatchMode> any = m -> true;
        boolean found = switch (req.type()) {
            case 1 -> op(tree.childWatches(), req.path(), conn, standard, remove);
            case 2 -> op(tree.dataWatches(), req.path(), conn, standard, remove);
            case 3 -> op(tree.dataWatches(), req.path(), conn, any, remove)
                    | op(tree.childWatches(), req.path(), conn, any, remove);
            case 4 -> op(tree.dataWatches(), req.path(), conn, persistent, remove)
                    | op(tree.childWatches(), req.path(), conn, persistent, remove);
            case 5 -> op(tree.dataWatches(), req.path(), conn, m -> m == WatchMode.PERSISTENT_RECURSIVE, remove);
            default -> false;
        };
        return found ? OK_EMPTY : Result.error(Err.NO_WATCHER);
    }

    private static boolean op(WatchTable table, String path, ClientConnection conn,
                              Predicate<WatchMode> which, boolean remove) {
        return remove ? table.remove(path, conn, which) : table.contains(path, conn, which);
    }

    /** Each op on its own, errors reported per op, watch flags ignored. */
    private Result multiRead(Requests.Multi multi, ClientConnection conn) {
        List<Responses.OpResult> results = new ArrayList<>();
        for (Requests.Op op : multi.ops()) {
            Requests.PathWatch req = (Requests.PathWatch) op.body();
            Result r = op.type() == OpCode.GET_DATA ? getData(req, conn, false)
                    : getChildren(req, conn, false, false);
            results.add(r.err() == Err.OK ? new Responses.OpResult(op.type(), Err.OK, r.body())
                    : new Responses.OpResult(OpCode.ERROR, r.err(), null));
        }
        return Result.ok(new Responses.MultiBody(results));
    }
}
