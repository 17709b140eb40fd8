package io.ensemble.storage;

import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.Txn;
import io.ensemble.txn.TxnHeader;
import io.ensemble.wire.OpCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.ensemble.storage.StorageTestSupport.MAX_ENTRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Replay across leader epochs: a new epoch starts its counter at 1, and only that jump is allowed. */
class EpochContinuityTest {
    @TempDir
    Path dir;

    static long zxid(long epoch, long counter) {
        return (epoch << 32) | counter;
    }

    /** A transaction replay can read; replay does not apply it, so its body does not matter. */
    static LoggedTxn txn(long zxid) {
        return new LoggedTxn(new TxnHeader(1, 0, zxid, 1_700_000_000_000L, OpCode.ERROR), new Txn.Error(-101));
    }

    /** Writes each group of zxids into its own log file, in order. */
    @SafeVarargs
    private void writeFiles(List<Long>... files) throws IOException {
        TxnLog log = new TxnLog(dir, 4096, false);
        for (List<Long> file : files) {
            for (long z : file) {
                log.append(txn(z));
            }
            log.roll();
        }
        log.close();
    }

    private List<Long> replay(long after) throws IOException {
        List<Long> out = new ArrayList<>();
        new LogReader(MAX_ENTRY).replay(dir, after, t -> out.add(t.zxid()));
        return out;
    }

    private static List<Long> run(long epoch, long fromCounter, long toCounter) {
        List<Long> out = new ArrayList<>();
        for (long c = fromCounter; c <= toCounter; c++) {
            out.add(zxid(epoch, c));
        }
        return out;
    }

    private static List<Long> concat(List<Long> a, List<Long> b) {
        List<Long> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @Test
    void newEpochInsideOneFile() throws IOException {
        List<Long> all = concat(run(1, 1, 7), run(2, 1, 3));
        writeFiles(all);

        assertThat(replay(0)).isEqualTo(all);
        LogReader.Result r = new LogReader(MAX_ENTRY).replay(dir, zxid(1, 5), t -> { });
        assertThat(r.lastZxid()).isEqualTo(zxid(2, 3));
        assertThat(r.firstZxid()).isEqualTo(zxid(1, 6));
    }

    @Test
    void newEpochInANewFileAndEpochsWithoutWritesInBetween() throws IOException {
        writeFiles(run(1, 1, 7), run(2, 1, 4), run(5, 1, 2));

        assertThat(StorageTestSupport.files(dir, LogFiles.LOG_PREFIX)).extracting(p -> p.getFileName().toString())
                .containsExactly("log.100000001", "log.200000001", "log.500000001");
        assertThat(replay(0)).isEqualTo(concat(concat(run(1, 1, 7), run(2, 1, 4)), run(5, 1, 2)));
        assertThat(replay(zxid(1, 7))).isEqualTo(concat(run(2, 1, 4), run(5, 1, 2)));
        assertThat(replay(zxid(2, 4))).isEqualTo(run(5, 1, 2));
    }

    @Test
    void snapshotAtTheEndOfAnEpochContinuesWithTheNextEpochsFirstFile() throws IOException {
        // the epoch-1 log was purged: the snapshot at 1.5 covers it, and epoch 2 picks up from there
        writeFiles(run(2, 1, 3));

        LogReader.Result r = new LogReader(MAX_ENTRY).replay(dir, zxid(1, 5), t -> { });
        assertThat(r.count()).isEqualTo(3);
        assertThat(r.lastZxid()).isEqualTo(zxid(2, 3));
        assertThat(replay(0)).isEqualTo(run(2, 1, 3)); // a fresh server's history may start in any epoch
    }

    @Test
    void snapshotInsideAnEpochStillReplaysTheRestOfThatEpoch() throws IOException {
        writeFiles(run(1, 1, 7), run(2, 1, 3));
        assertThat(replay(zxid(1, 5))).isEqualTo(concat(run(1, 6, 7), run(2, 1, 3)));
    }

    @Test
    void gapInsideAnEpochRefusesToStart() throws IOException {
        writeFiles(List.of(zxid(1, 1), zxid(1, 2), zxid(1, 3), zxid(1, 5)));
        assertThatThrownBy(() -> replay(0))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("jumps from zxid 0x100000003 to 0x100000005")
                .hasMessageContaining("refusing to start");
    }

    @Test
    void newEpochNotStartingAtCounterOneRefusesToStart() throws IOException {
        writeFiles(List.of(zxid(1, 1), zxid(1, 2), zxid(1, 3), zxid(2, 2)));
        assertThatThrownBy(() -> replay(0))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("jumps from zxid 0x100000003 to 0x200000002");
    }

    @Test
    void olderEpochAfterANewerOneRefusesToStart() throws IOException {
        writeFiles(List.of(zxid(2, 1), zxid(2, 2), zxid(1, 1)));
        assertThatThrownBy(() -> replay(0))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("jumps from zxid 0x200000002 to 0x100000001");
    }

    @Test
    void gapBetweenFilesRefusesToStart() throws IOException {
        writeFiles(run(1, 1, 3), run(2, 2, 4));
        assertThatThrownBy(() -> replay(0))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("log.100000001 ends at zxid 0x100000003")
                .hasMessageContaining("log.200000002")
                .hasMessageContaining("missing");

        Files.delete(LogFiles.logName(dir, zxid(2, 2)));
        writeFiles(run(1, 5, 6));
        assertThatThrownBy(() -> replay(0))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("log.100000005")
                .hasMessageContaining("missing");
    }

    @Test
    void gapBetweenTheSnapshotAndTheOldestFileRefusesToStart() throws IOException {
        writeFiles(run(2, 2, 4));
        assertThatThrownBy(() -> replay(zxid(1, 3)))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("snapshot ends at zxid 0x100000003")
                .hasMessageContaining("log.200000002");

        Files.delete(LogFiles.logName(dir, zxid(2, 2)));
        writeFiles(run(1, 5, 6));
        assertThatThrownBy(() -> replay(zxid(1, 3)))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("log.100000005");
    }

    @Test
    void fileWhoseFirstEntryDoesNotMatchItsNameRefusesToStart() throws IOException {
        writeFiles(run(1, 1, 3), run(2, 1, 2));
        Path epoch2 = LogFiles.logName(dir, zxid(2, 1));
        Files.move(epoch2, dir.resolve("log.300000001"));
        assertThatThrownBy(() -> replay(0))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("log.300000001")
                .hasMessageContaining("starts with zxid 0x200000001");
    }
}
