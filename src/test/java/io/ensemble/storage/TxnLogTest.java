package io.ensemble.storage;

import io.ensemble.session.SessionTracker;
import io.ensemble.tree.DataTree;
import io.ensemble.txn.LoggedTxn;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static io.ensemble.storage.StorageTestSupport.MAX_ENTRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transaction log on its own: files, preallocation, rolling, replay, torn tails and holes. */
class TxnLogTest {
    private static final long BLOCK = 4096;

    @TempDir
    Path dir;

    private DataTree tree;
    private SessionTracker sessions;
    private StorageTestSupport.Generator gen;
    private final List<LoggedTxn> written = new ArrayList<>();

    @BeforeEach
    void setUp() {
        tree = new DataTree();
        sessions = StorageTestSupport.newSessions();
        gen = new StorageTestSupport.Generator(tree, 42, 0);
    }

    /** Appends n generated transactions (applied to the model tree) in sync rounds of up to 3. */
    private void append(TxnLog log, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            LoggedTxn t = gen.next();
            StorageTestSupport.apply(t, tree, sessions);
            log.append(t);
            written.add(t);
            if (i % 3 == 2) {
                log.sync();
            }
        }
        log.sync();
    }

    /** Three files of 10, 10 and 10 transactions, named by their first zxid. */
    private List<Path> threeFiles() throws IOException {
        TxnLog log = new TxnLog(dir, BLOCK, true);
        append(log, 10);
        log.roll();
        append(log, 10);
        log.roll();
        append(log, 10);
        log.close();
        return StorageTestSupport.files(dir, LogFiles.LOG_PREFIX);
    }

    private List<LoggedTxn> replay(long after) throws IOException {
        List<LoggedTxn> out = new ArrayList<>();
        new LogReader(MAX_ENTRY).replay(dir, after, out::add);
        return out;
    }

    private static List<Long> zxids(List<LoggedTxn> txns) {
        return txns.stream().map(LoggedTxn::zxid).toList();
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long z = from; z <= to; z++) {
            out.add(z);
        }
        return out;
    }

    /** Offsets of the entries of a log file, read from their length fields. */
    private static List<Integer> entryOffsets(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
        List<Integer> out = new ArrayList<>();
        int pos = TxnLog.HEADER_SIZE;
        while (pos + 8 <= buf.limit() && buf.getInt(pos) != 0) {
            out.add(pos);
            pos += 8 + buf.getInt(pos);
        }
        out.add(pos); // end of the last entry
        return out;
    }

    @Test
    void appendRollAndReplayEverythingInOrder() throws IOException {
        List<Path> files = threeFiles();

        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("log.1", "log.b", "log.15");
        List<LoggedTxn> all = replay(0);
        assertThat(zxids(all)).isEqualTo(range(1, 30));
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).header()).isEqualTo(written.get(i).header());
            assertThat(all.get(i).txn()).usingRecursiveComparison().isEqualTo(written.get(i).txn());
        }
        // the log rebuilds the same tree
        DataTree rebuilt = new DataTree();
        SessionTracker s = StorageTestSupport.newSessions();
        all.forEach(t -> StorageTestSupport.apply(t, rebuilt, s));
        assertThat(StorageTestSupport.dump(rebuilt)).isEqualTo(StorageTestSupport.dump(tree));
        assertThat(StorageTestSupport.sessionIds(s)).isEqualTo(StorageTestSupport.sessionIds(sessions));
    }

    @Test
    void replayFromAGivenZxid() throws IOException {
        threeFiles();
        assertThat(zxids(replay(15))).isEqualTo(range(16, 30));
        assertThat(zxids(replay(10))).isEqualTo(range(11, 30)); // exactly at a file boundary
        assertThat(zxids(replay(11))).isEqualTo(range(12, 30));
        assertThat(zxids(replay(30))).isEmpty();
        LogReader.Result r = new LogReader(MAX_ENTRY).replay(dir, 21, t -> { });
        assertThat(r.files()).isEqualTo(1);
        assertThat(r.firstZxid()).isEqualTo(22);
        assertThat(r.lastZxid()).isEqualTo(30);
        assertThat(r.count()).isEqualTo(9);
        assertThat(r.truncated()).isNull();
    }

    @Test
    void filesArePreallocatedInWholeBlocks() throws IOException {
        TxnLog log = new TxnLog(dir, BLOCK, false);
        append(log, 5);
        Path file = log.currentFile();
        assertThat(Files.size(file) % BLOCK).isZero();
        assertThat(Files.size(file)).isEqualTo(BLOCK);
        // grow past one block: still whole blocks, and replay stops at the zeros
        int used;
        do {
            LoggedTxn t = gen.next();
            StorageTestSupport.apply(t, tree, sessions);
            log.append(t);
            written.add(t);
            log.sync();
            used = entryOffsets(file).getLast();
        } while (used <= BLOCK);
        assertThat(used).isGreaterThan((int) BLOCK);
        assertThat(Files.size(file) % BLOCK).isZero();
        assertThat(Files.size(file)).isGreaterThanOrEqualTo(used);
        log.close();
        assertThat(zxids(replay(0))).isEqualTo(range(1, written.size()));
    }

    @Test
    void tornTailMidEntryIsCutOffAndAppendingContinues() throws IOException {
        TxnLog log = new TxnLog(dir, BLOCK, true);
        append(log, 10);
        log.close();
        Path file = LogFiles.logName(dir, 1);
        List<Integer> offsets = entryOffsets(file);
        int lastEntry = offsets.get(9);
        StorageTestSupport.truncate(file, lastEntry + 11); // half of the 10th entry

        LogReader.Result r = new LogReader(MAX_ENTRY).replay(dir, 0, t -> { });
        assertThat(r.count()).isEqualTo(9);
        assertThat(r.lastZxid()).isEqualTo(9);
        assertThat(r.truncated()).contains("log.1").contains(String.valueOf(lastEntry));
        assertThat(Files.size(file)).isEqualTo(lastEntry);

        // a second replay reads the same good prefix and finds nothing to cut
        LogReader.Result again = new LogReader(MAX_ENTRY).replay(dir, 0, t -> { });
        assertThat(again.count()).isEqualTo(9);
        assertThat(again.truncated()).isNull();

        // the server continues with zxid 10 in a new file
        appendContinuing(again.lastZxid(), 5);
        assertThat(StorageTestSupport.files(dir, LogFiles.LOG_PREFIX)).hasSize(2);
        assertThat(zxids(replay(0))).isEqualTo(range(1, 14));
    }

    /**
     * Appends n more transactions after the recovery that returned lastZxid, as a restarted server would (no
     * second replay in between: the server opens its log right after recovery).
     */
    private void appendContinuing(long lastZxid, int n) throws IOException {
        tree = new DataTree();
        sessions = StorageTestSupport.newSessions();
        written.removeIf(t -> t.zxid() > lastZxid);
        written.forEach(t -> StorageTestSupport.apply(t, tree, sessions));
        gen = new StorageTestSupport.Generator(tree, 7, lastZxid);
        TxnLog log = new TxnLog(dir, BLOCK, true);
        append(log, n);
        log.close();
    }

    @Test
    void garbageAfterTheLastGoodEntryIsCutOff() throws IOException {
        TxnLog log = new TxnLog(dir, BLOCK, true);
        append(log, 10);
        log.close();
        Path file = LogFiles.logName(dir, 1);
        int end = entryOffsets(file).getLast();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x00, 0x00, 0x01, 0x07, (byte) 0xde, (byte) 0xad, (byte) 0xbe, 1, 2,
                    3, 4, 5, 6, 7, 8, 9}), end);
        }

        LogReader.Result r = new LogReader(MAX_ENTRY).replay(dir, 0, t -> { });
        assertThat(r.count()).isEqualTo(10);
        assertThat(r.truncated()).isNotNull();
        assertThat(Files.size(file)).isEqualTo(end);
        appendContinuing(10, 3);
        assertThat(new LogReader(MAX_ENTRY).replay(dir, 0, t -> { }).truncated()).isNull();
        assertThat(zxids(replay(0))).isEqualTo(range(1, 13));
    }

    @Test
    void tornFirstEntryOfTheNewestFileStillLetsTheServerContinue() throws IOException {
        TxnLog log = new TxnLog(dir, BLOCK, true);
        append(log, 10);
        log.roll();
        append(log, 2);
        log.close();
        Path second = LogFiles.logName(dir, 11);
        StorageTestSupport.truncate(second, TxnLog.HEADER_SIZE + 5); // the crash tore the first entry

        LogReader.Result r = new LogReader(MAX_ENTRY).replay(dir, 0, t -> { });
        assertThat(r.lastZxid()).isEqualTo(10);
        // the next transaction is zxid 11 again: a new log.b must be possible
        appendContinuing(r.lastZxid(), 3);
        assertThat(zxids(replay(0))).isEqualTo(range(1, 13));
    }

    @Test
    void aNewestFileWithOnlyItsHeaderStillLetsTheServerContinue() throws IOException {
        TxnLog log = new TxnLog(dir, BLOCK, true);
        append(log, 4);
        log.close();
        // crash right after a roll created log.5 (header fsynced, preallocated), before its first sync
        try (FileChannel ch = FileChannel.open(LogFiles.logName(dir, 5), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(TxnLog.HEADER_SIZE).putInt(TxnLog.MAGIC).putInt(TxnLog.FORMAT_VERSION)
                    .putLong(5).flip());
            ch.write(ByteBuffer.wrap(new byte[1]), BLOCK - 1);
        }
        LogReader.Result r = new LogReader(MAX_ENTRY).replay(dir, 0, t -> { });
        assertThat(r.lastZxid()).isEqualTo(4);
        appendContinuing(r.lastZxid(), 2);
        assertThat(zxids(replay(0))).isEqualTo(range(1, 6));
    }

    @Test
    void corruptEntryInTheMiddleRefusesToStart() throws IOException {
        TxnLog log = new TxnLog(dir, BLOCK, true);
        append(log, 10);
        log.close();
        Path file = LogFiles.logName(dir, 1);
        List<Integer> offsets = entryOffsets(file);
        StorageTestSupport.flipByte(file, offsets.get(3) + 8 + 10); // inside the 4th entry's payload
        long sizeBefore = Files.size(file);

        assertThatThrownBy(() -> replay(0))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("refusing to start")
                .hasMessageContaining("offset " + offsets.get(3));
        assertThat(Files.size(file)).as("nothing is truncated").isEqualTo(sizeBefore);
    }

    @Test
    void corruptLengthInTheMiddleRefusesToStart() throws IOException {
        TxnLog log = new TxnLog(dir, BLOCK, true);
        append(log, 10);
        log.close();
        Path file = LogFiles.logName(dir, 1);
        StorageTestSupport.flipByte(file, entryOffsets(file).get(2) + 3); // the 3rd entry's length
        assertThatThrownBy(() -> replay(0))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("log.1")
                .hasMessageContaining("refusing");
    }

    @Test
    void corruptTailOfAnOlderFileRefusesToStart() throws IOException {
        List<Path> files = threeFiles();
        Path first = files.get(0);
        StorageTestSupport.flipByte(first, entryOffsets(first).get(9) + 9); // last entry of the first file
        assertThatThrownBy(() -> replay(0))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(first.toString())
                .hasMessageContaining("refusing");
    }

    @Test
    void missingLogFileInTheMiddleRefusesToStart() throws IOException {
        List<Path> files = threeFiles();
        Files.delete(files.get(1));
        assertThatThrownBy(() -> replay(0))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("log.15")
                .hasMessageContaining("missing")
                .hasMessageContaining("refusing");
    }

    @Test
    void missingFirstLogWithoutSnapshotRefusesToStart() throws IOException {
        List<Path> files = threeFiles();
        Files.delete(files.get(0));
        assertThatThrownBy(() -> replay(0))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("log.b")
                .hasMessageContaining("refusing");
    }

    @Test
    void notALogFileRefusesToStart() throws IOException {
        threeFiles();
        Files.write(LogFiles.logName(dir, 1), "this is not a transaction log".getBytes());
        assertThatThrownBy(() -> replay(0))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("log.1")
                .hasMessageContaining("refusing");
    }
}
