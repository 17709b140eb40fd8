package io.ensemble.storage;

import io.ensemble.config.StorageConfig;
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

import static io.ensemble.storage.EpochContinuityTest.zxid;
import static io.ensemble.storage.StorageTestSupport.MAX_ENTRY;
import static org.assertj.core.api.Assertions.assertThat;

/** Recovery also hands back the newest replayed transactions, the leader's DIFF window after a restart. */
class RecoveredTailTest {
    @TempDir
    Path root;

    private final List<LoggedTxn> written = new ArrayList<>();

    /** Transactions 1..total in files of 10, with a snapshot at snapAt (none if 0). */
    private void history(int total, int snapAt) throws IOException {
        Path dir = root.resolve(LogFiles.VERSION_DIR);
        Files.createDirectories(dir);
        DataTree tree = new DataTree();
        SessionTracker sessions = StorageTestSupport.newSessions();
        StorageTestSupport.Generator gen = new StorageTestSupport.Generator(tree, 8, 0);
        TxnLog log = new TxnLog(dir, 4096, false);
        for (int i = 1; i <= total; i++) {
            LoggedTxn t = gen.next();
            StorageTestSupport.apply(t, tree, sessions);
            log.append(t);
            written.add(t);
            if (i % 10 == 0) {
                log.roll();
            }
            if (i == snapAt) {
                Map<Long, Integer> s = new HashMap<>();
                for (Session x : sessions.all()) {
                    s.put(x.id(), x.timeout());
                }
                try (OutputStream out = Files.newOutputStream(LogFiles.snapName(dir, i))) {
                    SnapshotFile.write(out, i, s, tree::forEachNode);
                }
            }
        }
        log.close();
    }

    private Storage.Recovered recover(int keep) {
        try (DataDirs dirs = DataDirs.open(root, root)) {
            return Recovery.recoverWithTail(dirs, new DataTree(), StorageTestSupport.newSessions(), MAX_ENTRY, keep);
        }
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

    @Test
    void keepsTheNewestTransactionsAndTheZxidBeforeThem() throws IOException {
        history(30, 10);

        Storage.Recovered r = recover(5);

        assertThat(r.lastZxid()).isEqualTo(30);
        assertThat(zxids(r.tail())).isEqualTo(range(26, 30));
        assertThat(r.tailBase()).isEqualTo(25);
        // the very transactions that were logged
        assertThat(r.tail().getFirst().header()).isEqualTo(written.get(25).header());
        assertThat(r.tail().getFirst().txn()).usingRecursiveComparison().isEqualTo(written.get(25).txn());
    }

    @Test
    void aTailLongerThanTheReplayStartsAtTheSnapshot() throws IOException {
        history(30, 10);

        Storage.Recovered r = recover(Storage.DEFAULT_TAIL);

        assertThat(zxids(r.tail())).isEqualTo(range(11, 30));
        assertThat(r.tailBase()).isEqualTo(10);
    }

    @Test
    void withoutASnapshotTheTailCanReachTheStartOfTheLog() throws IOException {
        history(12, 0);
        Storage.Recovered r = recover(100);
        assertThat(zxids(r.tail())).isEqualTo(range(1, 12));
        assertThat(r.tailBase()).isZero();
    }

    @Test
    void anEmptyTailIsBasedAtTheLastZxid() throws IOException {
        history(30, 10);
        Storage.Recovered none = recover(0);
        assertThat(none.tail()).isEmpty();
        assertThat(none.tailBase()).isEqualTo(30).isEqualTo(none.lastZxid());

        Files.delete(LogFiles.logName(root.resolve(LogFiles.VERSION_DIR), 11));
        Files.delete(LogFiles.logName(root.resolve(LogFiles.VERSION_DIR), 21));
        Storage.Recovered snapOnly = recover(5); // the log after the snapshot is gone: nothing replayed
        assertThat(snapOnly.lastZxid()).isEqualTo(10);
        assertThat(snapOnly.tail()).isEmpty();
        assertThat(snapOnly.tailBase()).isEqualTo(10);
    }

    @Test
    void theTailBaseMayBeInTheEpochBefore() throws IOException {
        Path dir = root.resolve(LogFiles.VERSION_DIR);
        Files.createDirectories(dir);
        TxnLog log = new TxnLog(dir, 4096, false);
        for (long z : List.of(zxid(1, 1), zxid(1, 2), zxid(3, 1), zxid(3, 2))) {
            log.append(EpochContinuityTest.txn(z));
        }
        log.close();

        Storage.Recovered r = recover(2);

        assertThat(zxids(r.tail())).containsExactly(zxid(3, 1), zxid(3, 2));
        assertThat(r.tailBase()).isEqualTo(zxid(1, 2));
        assertThat(r.lastZxid()).isEqualTo(zxid(3, 2));
    }

    @Test
    void storageRecoversWithAndWithoutTheTail() throws IOException {
        history(25, 10);
        StorageConfig config = new StorageConfig(100, false, 3, 0, 4096);
        try (Storage s = Storage.open(config, root, root, 0xfffff, new DataTree(), StorageTestSupport.newSessions())) {
            Storage.Recovered r = s.recoverWithTail(3);
            assertThat(r.lastZxid()).isEqualTo(25);
            assertThat(zxids(r.tail())).isEqualTo(range(23, 25));
            assertThat(r.tailBase()).isEqualTo(22);
        }
        try (Storage s = Storage.open(config, root, root, 0xfffff, new DataTree(), StorageTestSupport.newSessions())) {
            assertThat(s.recover()).isEqualTo(25);
        }
    }
}
