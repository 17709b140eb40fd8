package io.ensemble.storage;

import io.ensemble.session.Session;
import io.ensemble.session.SessionTracker;
import io.ensemble.tree.DataTree;
import io.ensemble.tree.EventSink;
import io.ensemble.tree.NodeImage;
import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.Txn;
import io.ensemble.txn.TxnHeader;
import io.ensemble.wire.Acl;
import io.ensemble.wire.OpCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.ensemble.storage.StorageTestSupport.MAX_ENTRY;
import static io.ensemble.storage.StorageTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Snapshot files and recovery from snapshot + log, including damaged snapshots. */
class SnapshotRecoveryTest {
    @TempDir
    Path root;

    private final List<String> recoveryLog = new CopyOnWriteArrayList<>();
    private final Logger recoveryLogger = Logger.getLogger(Recovery.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            recoveryLog.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        recoveryLogger.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        recoveryLogger.removeHandler(capture);
    }

    private static void writeSnapshot(Path file, long zxid, DataTree tree, SessionTracker sessions)
            throws IOException {
        Map<Long, Integer> s = new HashMap<>();
        for (Session x : sessions.all()) {
            s.put(x.id(), x.timeout());
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            SnapshotFile.write(out, zxid, s, tree::forEachNode);
        }
    }

    @Test
    void snapshotRoundTripKeepsSessionsSharedAclsAndNullData() throws IOException {
        List<Acl> shared = StorageTestSupport.DIGEST_ACL;
        List<NodeImage> nodes = List.of(
                new NodeImage("/", new byte[0], Acl.OPEN, 0, 0, 0, 0, 0, 3, 0, 0, 9),
                new NodeImage("/a", null, shared, 5, 6, 1000, 2000, 1, 0, 2, 0, 5),
                new NodeImage("/b", bytes("bee"), shared, 7, 7, 1001, 1001, 0, 0, 0, 0x1234L, 7),
                new NodeImage("/c", new byte[0], Acl.READ_ONLY, 8, 9, 1002, 1003, 4, 2, 1, 0, 10),
                new NodeImage("/ü", bytes("\u2603"), Acl.OPEN, 9, 9, 1, 1, 0, 0, 0, Long.MIN_VALUE, 9));
        Map<Long, Integer> sessions = Map.of(0x1234L, 4000, 0x0100_0000_0000_0001L, 30_000);
        Path file = root.resolve("snapshot.9");
        try (OutputStream out = Files.newOutputStream(file)) {
            SnapshotFile.write(out, 9, sessions, v -> nodes.forEach(v));
        }

        SnapshotFile.Image image = SnapshotFile.read(file);
        assertThat(image.zxid()).isEqualTo(9);
        assertThat(image.sessions()).isEqualTo(sessions);
        assertThat(image.nodes()).extracting(StorageTestSupport.Node::of)
                .containsExactlyElementsOf(nodes.stream().map(StorageTestSupport.Node::of).toList());
        assertThat(image.nodes().get(1).data()).isNull();
        assertThat(image.nodes().get(3).data()).isNotNull().isEmpty();
        // one ACL table entry per distinct list: both nodes get the same (equal) list back
        assertThat(image.nodes().get(1).acl()).isEqualTo(shared).isSameAs(image.nodes().get(2).acl());
        // the shared list is stored once: a second node with it costs less than the first
        String text = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(text.split("bob:abc=", -1)).hasSize(2);
    }

    @Test
    void flippedByteAndTruncationAreDetected() throws IOException {
        DataTree tree = new DataTree();
        SessionTracker sessions = StorageTestSupport.newSessions();
        StorageTestSupport.Generator gen = new StorageTestSupport.Generator(tree, 3, 0);
        for (int i = 0; i < 50; i++) {
            StorageTestSupport.apply(gen.next(), tree, sessions);
        }
        Path file = root.resolve("snapshot.32");
        writeSnapshot(file, 50, tree, sessions);
        long size = Files.size(file);

        Path flipped = root.resolve("flipped");
        Files.copy(file, flipped);
        StorageTestSupport.flipByte(flipped, size / 2);
        assertThatThrownBy(() -> SnapshotFile.read(flipped)).isInstanceOf(StorageException.class);

        for (long cut : new long[] {0, 3, 20, size / 2, size - 1}) {
            Path partial = root.resolve("partial" + cut);
            Files.copy(file, partial);
            StorageTestSupport.truncate(partial, cut);
            assertThatThrownBy(() -> SnapshotFile.read(partial)).as("cut at " + cut)
                    .isInstanceOf(StorageException.class);
        }
    }

    /**
     * 30 transactions, snapshot at 30 with the log rolled there, 30 more, snapshot at 60, 20 more. log.1 is deleted,
     * so recovery must start from one of the snapshots.
     */
    private Map<String, StorageTestSupport.Node> prepareHistory(DataTree tree, SessionTracker sessions)
            throws IOException {
        try (DataDirs dirs = DataDirs.open(root, root)) {
            StorageTestSupport.Generator gen = new StorageTestSupport.Generator(tree, 11, 0);
            TxnLog log = new TxnLog(dirs.logDir(), 4096, true);
            for (int i = 1; i <= 80; i++) {
                LoggedTxn t = gen.next();
                StorageTestSupport.apply(t, tree, sessions);
                log.append(t);
                log.sync();
                if (i == 30 || i == 60) {
                    log.roll();
                    writeSnapshot(LogFiles.snapName(dirs.snapDir(), i), i, tree, sessions);
                }
            }
            log.close();
            Files.delete(LogFiles.logName(dirs.logDir(), 1));
        }
        return StorageTestSupport.dump(tree);
    }

    private DataTree recover(SessionTracker sessions, long expectedZxid) {
        DataTree fresh = new DataTree();
        try (DataDirs dirs = DataDirs.open(root, root)) {
            assertThat(Recovery.recover(dirs, fresh, sessions, MAX_ENTRY)).isEqualTo(expectedZxid);
        }
        return fresh;
    }

    private Path snapDir() {
        return root.resolve(LogFiles.VERSION_DIR);
    }

    @Test
    void recoversFromTheNewestSnapshot() throws IOException {
        DataTree live = new DataTree();
        SessionTracker liveSessions = StorageTestSupport.newSessions();
        Map<String, StorageTestSupport.Node> expected = prepareHistory(live, liveSessions);

        SessionTracker sessions = StorageTestSupport.newSessions();
        DataTree tree = recover(sessions, 80);
        assertThat(StorageTestSupport.dump(tree)).isEqualTo(expected);
        assertThat(StorageTestSupport.children(tree)).isEqualTo(StorageTestSupport.children(live));
        assertThat(StorageTestSupport.sessionIds(sessions)).isEqualTo(StorageTestSupport.sessionIds(liveSessions));
        assertThat(tree.allEphemerals()).isEqualTo(live.allEphemerals());
        assertThat(recoveryLog).anyMatch(m -> m.contains("Loaded snapshot") && m.contains("snapshot.3c"));
    }

    @Test
    void corruptNewestSnapshotFallsBackToTheOlderOne() throws IOException {
        DataTree live = new DataTree();
        SessionTracker liveSessions = StorageTestSupport.newSessions();
        Map<String, StorageTestSupport.Node> expected = prepareHistory(live, liveSessions);
        Path newest = LogFiles.snapName(snapDir(), 60);
        StorageTestSupport.flipByte(newest, Files.size(newest) / 2);

        SessionTracker sessions = StorageTestSupport.newSessions();
        DataTree tree = recover(sessions, 80);
        assertThat(StorageTestSupport.dump(tree)).isEqualTo(expected);
        assertThat(StorageTestSupport.children(tree)).isEqualTo(StorageTestSupport.children(live));
        assertThat(StorageTestSupport.sessionIds(sessions)).isEqualTo(StorageTestSupport.sessionIds(liveSessions));
        assertThat(recoveryLog).anyMatch(m -> m.contains("Skipping snapshot") && m.contains("snapshot.3c"));
        assertThat(recoveryLog).anyMatch(m -> m.contains("Loaded snapshot") && m.contains("snapshot.1e"));
    }

    @Test
    void truncatedNewestSnapshotFallsBackToTheOlderOne() throws IOException {
        DataTree live = new DataTree();
        Map<String, StorageTestSupport.Node> expected = prepareHistory(live, StorageTestSupport.newSessions());
        Path newest = LogFiles.snapName(snapDir(), 60);
        StorageTestSupport.truncate(newest, Files.size(newest) - 9);

        DataTree tree = recover(StorageTestSupport.newSessions(), 80);
        assertThat(StorageTestSupport.dump(tree)).isEqualTo(expected);
        assertThat(recoveryLog).anyMatch(m -> m.contains("Loaded snapshot") && m.contains("snapshot.1e"));
    }

    @Test
    void leftoverTempFilesAreIgnored() throws IOException {
        DataTree live = new DataTree();
        Map<String, StorageTestSupport.Node> expected = prepareHistory(live, StorageTestSupport.newSessions());
        Files.write(snapDir().resolve("snapshot.50.tmp"), bytes("half a snapshot"));
        Files.write(snapDir().resolve("snapshot.ff.tmp"), new byte[0]);

        DataTree tree = recover(StorageTestSupport.newSessions(), 80);
        assertThat(StorageTestSupport.dump(tree)).isEqualTo(expected);
        assertThat(recoveryLog).noneMatch(m -> m.contains(".tmp"));
    }

    @Test
    void everySnapshotUnusableAndLogIncompleteRefusesToStart() throws IOException {
        prepareHistory(new DataTree(), StorageTestSupport.newSessions());
        StorageTestSupport.flipByte(LogFiles.snapName(snapDir(), 60), 40);
        StorageTestSupport.truncate(LogFiles.snapName(snapDir(), 30), 10);
        assertThatThrownBy(() -> recover(StorageTestSupport.newSessions(), 80))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("refusing");
    }

    /**
     * A fuzzy snapshot can hold a parent that was deleted and created again, together with a child of the new
     * parent. Replaying the old delete removes the parent but leaves the child in the node map; replaying the
     * child's create must then still link it under the re-created parent (ZooKeeper checks the parent's child
     * set, not the node map).
     */
    @Test
    void replayOverAFuzzySnapshotHoldingARecreatedParent() {
        DataTree live = new DataTree();
        List<LoggedTxn> history = List.of(
                txn(1, OpCode.CREATE, new Txn.Create("/p", bytes("one"), Acl.OPEN, 0, 1)),
                txn(2, OpCode.DELETE, new Txn.Delete("/p")),
                txn(3, OpCode.CREATE, new Txn.Create("/p", bytes("two"), Acl.OPEN, 0, 2)),
                txn(4, OpCode.CREATE, new Txn.Create("/p/c", bytes("c"), Acl.OPEN, 0, 1)));
        history.forEach(x -> live.apply(x.header(), x.txn(), EventSink.NONE));
        // the snapshot started at zxid 0 but saw everything
        List<NodeImage> fuzzy = new ArrayList<>();
        live.forEachNode(fuzzy::add);

        DataTree replayed = new DataTree();
        replayed.restore(fuzzy);
        history.forEach(x -> replayed.apply(x.header(), x.txn(), EventSink.NONE));

        assertThat(replayed.get("/p").childNames()).containsExactly("c");
        assertThat(replayed.get("/p").stat()).isEqualTo(live.get("/p").stat());
        assertThat(StorageTestSupport.dump(replayed)).isEqualTo(StorageTestSupport.dump(live));
    }

    /**
     * A fuzzy snapshot can image a parent before a child's delete and then miss the child, already gone: replaying
     * that delete finds no node, and the parent must still take its pzxid (FuzzySnapshotTest found this).
     */
    @Test
    void replayedDeleteOfAChildTheSnapshotMissedStillMovesTheParentsPzxid() {
        DataTree live = new DataTree();
        List<LoggedTxn> before = List.of(
                txn(1, OpCode.CREATE, new Txn.Create("/p", bytes("p"), Acl.OPEN, 0, 1)),
                txn(2, OpCode.CREATE, new Txn.Create("/p/c", bytes("c"), Acl.OPEN, 0, 1)));
        LoggedTxn delete = txn(3, OpCode.DELETE, new Txn.Delete("/p/c"));
        before.forEach(x -> live.apply(x.header(), x.txn(), EventSink.NONE));
        List<NodeImage> fuzzy = new ArrayList<>();
        live.forEachNode(image -> {
            if (!image.path().equals("/p/c")) {
                fuzzy.add(image); // "/" and "/p" imaged before the delete, "/p/c" gone by the time it was reached
            }
        });
        live.apply(delete.header(), delete.txn(), EventSink.NONE);

        DataTree replayed = new DataTree();
        replayed.restore(fuzzy);
        replayed.apply(delete.header(), delete.txn(), EventSink.NONE);

        assertThat(replayed.get("/p").stat()).isEqualTo(live.get("/p").stat());
        assertThat(replayed.get("/p").stat().pzxid()).isEqualTo(3);
        assertThat(StorageTestSupport.dump(replayed)).isEqualTo(StorageTestSupport.dump(live));
    }

    /**
     * A snapshot can image a parent between the two writes of a child's create: the new cversion with the old pzxid,
     * a state no zxid had. Replaying that create must complete it (FuzzySnapshotTest found this under load).
     */
    @Test
    void replayedCreateCompletesAParentImagedInTheMiddleOfIt() {
        DataTree live = new DataTree();
        List<LoggedTxn> history = List.of(
                txn(1, OpCode.CREATE, new Txn.Create("/p", bytes("p"), Acl.OPEN, 0, 1)),
                txn(2, OpCode.CREATE, new Txn.Create("/p/a", bytes("a"), Acl.OPEN, 0, 1)),
                txn(3, OpCode.CREATE, new Txn.Create("/p/b", bytes("b"), Acl.OPEN, 0, 2)));
        history.forEach(x -> live.apply(x.header(), x.txn(), EventSink.NONE));
        List<NodeImage> fuzzy = new ArrayList<>();
        live.forEachNode(image -> {
            if (image.path().equals("/p")) {
                // imaged after create /p/b wrote the cversion (2) and before it wrote the pzxid (still 2, not 3)
                fuzzy.add(new NodeImage(image.path(), image.data(), image.acl(), image.czxid(), image.mzxid(),
                        image.ctime(), image.mtime(), image.version(), 2, image.aversion(), image.ephemeralOwner(),
                        2));
            } else if (!image.path().equals("/p/b")) {
                fuzzy.add(image); // "/p/b" not there yet when the snapshot passed its place
            }
        });

        DataTree replayed = new DataTree();
        replayed.restore(fuzzy);
        history.subList(1, 3).forEach(x -> replayed.apply(x.header(), x.txn(), EventSink.NONE)); // snapshot at 1

        assertThat(replayed.get("/p").stat().pzxid()).isEqualTo(3);
        assertThat(replayed.get("/p").stat()).isEqualTo(live.get("/p").stat());
        assertThat(StorageTestSupport.dump(replayed)).isEqualTo(StorageTestSupport.dump(live));
    }

    private static LoggedTxn txn(long zxid, int type, Txn body) {
        return new LoggedTxn(new TxnHeader(0, (int) zxid, zxid, 1_700_000_000_000L + zxid, type), body);
    }
}
