package io.ensemble.storage;

import io.ensemble.session.Session;
import io.ensemble.session.SessionTracker;
import io.ensemble.tree.DataTree;
import io.ensemble.txn.LoggedTxn;
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
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.ensemble.storage.EpochContinuityTest.txn;
import static io.ensemble.storage.EpochContinuityTest.zxid;
import static io.ensemble.storage.StorageTestSupport.MAX_ENTRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ZAB's TRUNC on disk: the tail after a zxid goes, and the server recovers and logs on from there. */
class LogTruncationTest {
    @TempDir
    Path root;

    private final List<LoggedTxn> written = new ArrayList<>();

    private Path dir() {
        return root.resolve(LogFiles.VERSION_DIR);
    }

    /**
     * 30 transactions in log.1 (1..10), log.b (11..20) and log.15 (21..30), with snapshots at 10 and 25 (hex 19).
     */
    private void history() throws IOException {
        Files.createDirectories(dir());
        DataTree tree = new DataTree();
        SessionTracker sessions = StorageTestSupport.newSessions();
        StorageTestSupport.Generator gen = new StorageTestSupport.Generator(tree, 5, 0);
        TxnLog log = new TxnLog(dir(), 4096, false);
        for (int i = 1; i <= 30; i++) {
            LoggedTxn t = gen.next();
            StorageTestSupport.apply(t, tree, sessions);
            log.append(t);
            log.sync();
            written.add(t);
            if (i == 10 || i == 20) {
                log.roll();
            }
            if (i == 10 || i == 25) {
                writeSnapshot(i, tree, sessions);
            }
        }
        log.close();
    }

    private void writeSnapshot(long zxid, DataTree tree, SessionTracker sessions) throws IOException {
        Map<Long, Integer> s = new HashMap<>();
        for (Session x : sessions.all()) {
            s.put(x.id(), x.timeout());
        }
        try (OutputStream out = Files.newOutputStream(LogFiles.snapName(dir(), zxid))) {
            SnapshotFile.write(out, zxid, s, tree::forEachNode);
        }
    }

    /** The tree the first n written transactions build. */
    private DataTree modelAt(long n) {
        DataTree tree = new DataTree();
        SessionTracker sessions = StorageTestSupport.newSessions();
        written.stream().filter(t -> t.zxid() <= n).forEach(t -> StorageTestSupport.apply(t, tree, sessions));
        return tree;
    }

    /** Appends n more transactions after lastZxid, as the server does after recovering (a fresh TxnLog). */
    private void continueAfter(long lastZxid, int n) throws IOException {
        written.removeIf(t -> t.zxid() > lastZxid);
        DataTree tree = modelAt(lastZxid);
        SessionTracker sessions = StorageTestSupport.newSessions();
        StorageTestSupport.Generator gen = new StorageTestSupport.Generator(tree, 99, lastZxid);
        TxnLog log = new TxnLog(dir(), 4096, false);
        for (int i = 0; i < n; i++) {
            LoggedTxn t = gen.next();
            StorageTestSupport.apply(t, tree, sessions);
            log.append(t);
            written.add(t);
        }
        log.close();
    }

    private void truncateAfter(long zxid) throws IOException {
        LogTruncation.truncateAfter(dir(), dir(), zxid, MAX_ENTRY);
    }

    private List<Long> replay() throws IOException {
        List<Long> out = new ArrayList<>();
        LogReader.Result r = new LogReader(MAX_ENTRY).replay(dir(), 0, t -> out.add(t.zxid()));
        assertThat(r.truncated()).as("the log ends cleanly").isNull();
        return out;
    }

    /** Recovers as the server does; checks the tree against the model and returns the last zxid. */
    private long recover() {
        DataTree tree = new DataTree();
        long last;
        try (DataDirs dirs = DataDirs.open(root, root)) {
            last = Recovery.recover(dirs, tree, StorageTestSupport.newSessions(), MAX_ENTRY);
        }
        assertThat(StorageTestSupport.dump(tree)).isEqualTo(StorageTestSupport.dump(modelAt(last)));
        return last;
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long z = from; z <= to; z++) {
            out.add(z);
        }
        return out;
    }

    /** File names and sizes, to show what changed. */
    private Map<String, Long> listing() throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir())) {
            for (Path p : (Iterable<Path>) files::iterator) {
                out.put(p.getFileName().toString(), Files.size(p));
            }
        }
        return out;
    }

    @Test
    void truncateInTheMiddleOfAFile() throws IOException {
        history();
        long before = Files.size(LogFiles.logName(dir(), 11));

        truncateAfter(15);

        assertThat(listing().keySet()).containsExactly("log.1", "log.b", "snapshot.a");
        assertThat(Files.size(LogFiles.logName(dir(), 11))).isLessThan(before);
        assertThat(replay()).isEqualTo(range(1, 15));
        assertThat(recover()).isEqualTo(15);

        continueAfter(15, 7);
        assertThat(listing().keySet()).contains("log.10");
        assertThat(replay()).isEqualTo(range(1, 22));
        assertThat(recover()).isEqualTo(22);
    }

    @Test
    void truncateAtAFileBoundary() throws IOException {
        history();
        Map<String, Long> before = listing();

        truncateAfter(20);

        Map<String, Long> after = listing();
        assertThat(after.keySet()).containsExactly("log.1", "log.b", "snapshot.a");
        assertThat(after.get("log.b")).as("nothing to cut").isEqualTo(before.get("log.b"));
        assertThat(replay()).isEqualTo(range(1, 20));

        continueAfter(20, 5); // log.15 again, with different transactions
        assertThat(listing().keySet()).contains("log.15");
        assertThat(replay()).isEqualTo(range(1, 25));
        assertThat(recover()).isEqualTo(25);
    }

    @Test
    void truncateAtOrBeyondTheEndChangesNothing() throws IOException {
        history();
        Map<String, Long> before = listing();

        truncateAfter(30);
        truncateAfter(zxid(7, 1));

        assertThat(listing()).isEqualTo(before);
        assertThat(replay()).isEqualTo(range(1, 30));
        assertThat(recover()).isEqualTo(30);
    }

    @Test
    void truncateToASnapshotBeforeTheOldestLog() throws IOException {
        history();
        Files.delete(LogFiles.logName(dir(), 1)); // purged: the snapshot at 10 stands for it

        truncateAfter(10);

        assertThat(listing().keySet()).containsExactly("snapshot.a");
        assertThat(recover()).isEqualTo(10);
        continueAfter(10, 3);
        assertThat(recover()).isEqualTo(13);
    }

    @Test
    void truncateToNothing() throws IOException {
        history();
        truncateAfter(0);
        assertThat(listing()).isEmpty();
        assertThat(recover()).isZero();
    }

    @Test
    void refusesWhenTheHistoryUpToTheZxidIsGone() throws IOException {
        history();
        Files.delete(LogFiles.logName(dir(), 1));
        Files.delete(LogFiles.snapName(dir(), 10)); // only the snapshot at 25 knows what 1..10 did
        Map<String, Long> before = listing();

        assertThatThrownBy(() -> truncateAfter(5))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("after zxid 0x5")
                .hasMessageContaining("log.b")
                .hasMessageContaining("resync");
        assertThat(listing()).as("nothing changed").isEqualTo(before);
    }

    @Test
    void refusesToCutAroundADamagedEntry() throws IOException {
        history();
        StorageTestSupport.flipByte(LogFiles.logName(dir(), 11), TxnLog.HEADER_SIZE + TxnLog.ENTRY_OVERHEAD + 3);
        Map<String, Long> before = listing();

        assertThatThrownBy(() -> truncateAfter(15))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("log.b")
                .hasMessageContaining("refusing to truncate");
        assertThat(listing()).as("nothing changed").isEqualTo(before);
    }

    @Test
    void truncateTheUncommittedStartOfAnEpoch() throws IOException {
        Files.createDirectories(dir());
        TxnLog log = new TxnLog(dir(), 4096, false);
        for (long z : List.of(zxid(1, 1), zxid(1, 2), zxid(1, 3), zxid(2, 1), zxid(2, 2))) {
            log.append(txn(z));
        }
        log.roll();
        for (long z : List.of(zxid(2, 3), zxid(2, 4))) {
            log.append(txn(z));
        }
        log.close();

        truncateAfter(zxid(1, 3));

        assertThat(listing().keySet()).containsExactly("log.100000001");
        assertThat(replay()).containsExactly(zxid(1, 1), zxid(1, 2), zxid(1, 3));
        // the next leader's epoch continues the log
        log = new TxnLog(dir(), 4096, false);
        log.append(txn(zxid(3, 1)));
        log.append(txn(zxid(3, 2)));
        log.close();
        assertThat(replay()).containsExactly(zxid(1, 1), zxid(1, 2), zxid(1, 3), zxid(3, 1), zxid(3, 2));
    }

    @Test
    void discardAllDeletesEveryLogFileAndKeepsSnapshots() throws IOException {
        history();
        Files.writeString(dir().resolve("unrelated"), "x");

        LogTruncation.discardAll(dir());

        assertThat(listing().keySet()).containsExactly("snapshot.19", "snapshot.a", "unrelated");
        Files.delete(dir().resolve("unrelated"));
        assertThat(recover()).isEqualTo(25);
        LogTruncation.discardAll(dir()); // nothing left to delete
        continueAfter(25, 4);
        assertThat(recover()).isEqualTo(29);
    }
}
