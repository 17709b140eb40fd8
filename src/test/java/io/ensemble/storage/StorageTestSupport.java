package io.ensemble.storage;

import io.ensemble.config.ServerConfig;
import io.ensemble.config.StorageConfig;
import io.ensemble.session.Session;
import io.ensemble.session.SessionTracker;
import io.ensemble.tree.DataNode;
import io.ensemble.tree.DataTree;
import io.ensemble.tree.EventSink;
import io.ensemble.tree.NodeImage;
import io.ensemble.tree.PathUtil;
import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.Txn;
import io.ensemble.txn.TxnHeader;
import io.ensemble.wire.Acl;
import io.ensemble.wire.Id;
import io.ensemble.wire.OpCode;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/** Shared helpers of the storage tests: a transaction generator that prepares like the server, and tree dumps. */
final class StorageTestSupport {
    static final int MAX_ENTRY = 0xfffff + 4096;
    static final List<Acl> DIGEST_ACL = List.of(new Acl(Acl.ALL, new Id("digest", "bob:abc=")),
            new Acl(Acl.READ, Id.ANYONE));

    private StorageTestSupport() {
    }

    /** A comparable image of a node (byte[] compared by content). */
    record Node(String path, String data, List<Acl> acl, long czxid, long mzxid, long ctime, long mtime, int version,
                int cversion, int aversion, long owner, long pzxid) {
        static Node of(NodeImage i) {
            return new Node(i.path(), i.data() == null ? "<null>" : HexFormat.of().formatHex(i.data()), i.acl(),
                    i.czxid(), i.mzxid(), i.ctime(), i.mtime(), i.version(), i.storedCversion(), i.aversion(),
                    i.ephemeralOwner(), i.pzxid());
        }
    }

    /** Every node of a tree keyed by path, plus the child count the tree derives. */
    static Map<String, Node> dump(DataTree tree) {
        Map<String, Node> out = new TreeMap<>();
        tree.forEachNode(i -> out.put(i.path(), Node.of(i)));
        return out;
    }

    static Map<String, List<String>> children(DataTree tree) {
        Map<String, List<String>> out = new TreeMap<>();
        for (String p : tree.paths()) {
            out.put(p, new ArrayList<>(new TreeSet<>(tree.get(p).childNames())));
        }
        return out;
    }

    static TreeSet<Long> sessionIds(SessionTracker s) {
        TreeSet<Long> out = new TreeSet<>();
        for (Session x : s.all()) {
            out.add(x.id());
        }
        return out;
    }

    static SessionTracker newSessions() {
        return new SessionTracker(1, 200, System::currentTimeMillis);
    }

    /** Applies a logged transaction the way recovery does. */
    static void apply(LoggedTxn t, DataTree tree, SessionTracker sessions) {
        switch (t.txn()) {
            case Txn.CreateSession c -> sessions.add(t.header().sessionId(), c.timeout());
            case Txn.CloseSession c -> sessions.remove(t.header().sessionId());
            default -> { }
        }
        tree.apply(t.header(), t.txn(), EventSink.NONE);
    }

    /**
     * Makes valid transactions against a tree, as preparation would: creates (some ephemeral), deletes of leaves,
     * setData, setAcl, multis and sessions. Single-threaded; the caller applies each one before asking for the next.
     */
    static final class Generator {
        private final DataTree tree;
        private final Random random;
        private final List<Long> liveSessions = new ArrayList<>();
        private long zxid;
        private long nextSession = 0x100;
        private int seq;

        Generator(DataTree tree, long seed, long lastZxid) {
            this.tree = tree;
            this.random = new Random(seed);
            this.zxid = lastZxid;
        }

        long zxid() {
            return zxid;
        }

        LoggedTxn next() {
            int roll = random.nextInt(100);
            long session = liveSessions.isEmpty() ? 0 : liveSessions.get(random.nextInt(liveSessions.size()));
            TxnHeader hdr;
            Txn txn;
            if (roll < 4 || liveSessions.isEmpty()) {
                long id = nextSession++;
                liveSessions.add(id);
                return logged(id, OpCode.CREATE_SESSION, new Txn.CreateSession(4000));
            }
            if (roll < 7 && liveSessions.size() > 1) {
                liveSessions.remove(session);
                return logged(session, OpCode.CLOSE_SESSION, new Txn.CloseSession());
            }
            if (roll < 15) {
                List<Txn> ops = new ArrayList<>();
                String parent = pickParent();
                String a = parent.equals("/") ? "/m" + (seq++) : parent + "/m" + (seq++);
                ops.add(create(a, 0, 0));
                ops.add(new Txn.SetData(a, bytes("multi"), 1));
                String b = pickNode();
                if (b != null && !b.equals(a)) {
                    DataNode n = tree.get(b);
                    ops.add(new Txn.CheckVersion(b, n.version()));
                }
                return logged(session, OpCode.MULTI, new Txn.Multi(ops));
            }
            if (roll < 50) {
                String parent = pickParent();
                String path = parent.equals("/") ? "/n" + (seq++) : parent + "/n" + (seq++);
                boolean eph = random.nextInt(4) == 0;
                txn = create(path, eph ? session : 0, 0);
                return logged(session, OpCode.CREATE, txn);
            }
            String path = pickNode();
            if (path == null) {
                return logged(session, OpCode.ERROR, new Txn.Error(-101));
            }
            DataNode n = tree.get(path);
            if (roll < 70 && n.childCount() == 0) {
                return logged(session, OpCode.DELETE, new Txn.Delete(path));
            }
            if (roll < 75) {
                return logged(session, OpCode.SET_ACL, new Txn.SetAcl(path,
                        random.nextBoolean() ? DIGEST_ACL : Acl.OPEN, n.aversion() + 1));
            }
            byte[] data = random.nextInt(10) == 0 ? null : bytes("v" + random.nextInt(1000));
            return logged(session, OpCode.SET_DATA, new Txn.SetData(path, data, n.version() + 1));
        }

        private Txn.Create create(String path, long owner, int extraCreatesBefore) {
            DataNode parent = tree.get(PathUtil.parent(path));
            return new Txn.Create(path, random.nextInt(8) == 0 ? new byte[0] : bytes("d" + path),
                    random.nextInt(3) == 0 ? DIGEST_ACL : Acl.OPEN, owner,
                    parent.storedCversion() + 1 + extraCreatesBefore);
        }

        private LoggedTxn logged(long session, int type, Txn txn) {
            zxid++;
            return new LoggedTxn(new TxnHeader(session, (int) zxid, zxid, 1_700_000_000_000L + zxid, type), txn);
        }

        /** A persistent node that may take children ("/" or a user node below depth 3). */
        private String pickParent() {
            List<String> candidates = new ArrayList<>();
            for (String p : tree.paths()) {
                if (!DataTree.isSpecial(p) || p.equals("/")) {
                    DataNode n = tree.get(p);
                    if (n != null && n.rawEphemeralOwner() == 0 && depth(p) < 3) {
                        candidates.add(p);
                    }
                }
            }
            candidates.sort(null);
            return candidates.get(random.nextInt(candidates.size()));
        }

        private String pickNode() {
            List<String> candidates = new ArrayList<>();
            for (String p : tree.paths()) {
                if (!DataTree.isSpecial(p)) {
                    candidates.add(p);
                }
            }
            if (candidates.isEmpty()) {
                return null;
            }
            candidates.sort(null);
            return candidates.get(random.nextInt(candidates.size()));
        }

        private static int depth(String p) {
            return p.equals("/") ? 0 : (int) p.chars().filter(c -> c == '/').count();
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
            ch.write(b, offset);
        }
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    static List<Path> files(Path dir, String prefix) throws IOException {
        List<Path> out = new ArrayList<>();
        for (LogFiles.Named n : LogFiles.list(dir, prefix)) {
            out.add(n.path());
        }
        return out;
    }

    static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var s = Files.list(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    Files.copy(p, to.resolve(p.getFileName()));
                }
            }
        }
    }

    /** An in-JVM server that snapshots (and rolls its log) every 20 transactions, without fsync. */
    static ServerConfig snapshotEvery20(Path dataDir) {
        return ServerConfig.builder().clientPort(0).tickTime(200).dataDir(dataDir)
                .adminEnableServer(false).adminServerPort(0)
                .storage(new StorageConfig(20, false, 3, 0, 64 * 1024)).build();
    }
}
