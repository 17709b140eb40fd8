package io.ensemble.storage;

import io.ensemble.session.SessionTracker;
import io.ensemble.tree.DataTree;
import io.ensemble.tree.NodeImage;
import io.ensemble.txn.LoggedTxn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.ensemble.storage.StorageTestSupport.MAX_ENTRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Snapshots taken while a writer hammers the tree (creates, deletes, setData, setAcl, multis, sessions with
 * ephemerals) through the real group-commit log: recovery from each snapshot plus the log gives the live tree.
 */
class FuzzySnapshotTest {
    @TempDir
    Path root;

    @Test
    void fuzzySnapshotsPlusLogReplayGiveTheLiveTree() throws Exception {
        DataTree live = new DataTree();
        SessionTracker liveSessions = StorageTestSupport.newSessions();
        AtomicLong applied = new AtomicLong();
        AtomicLong issued = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        List<Snapshotter.Taken> taken = new ArrayList<>();
        List<Long> fuzzyNodes = new ArrayList<>();

        try (DataDirs dirs = DataDirs.open(root.resolve("live"), root.resolve("live"))) {
            TxnLog log = new TxnLog(dirs.logDir(), 16 * 1024, false);
            GroupCommitLog commitLog = new GroupCommitLog(log, 0, (n, last, nanos) -> { }, () -> { });
            Thread logThread = Thread.ofPlatform().name("test-txn-log").start(commitLog);
            Snapshotter snapshotter = new Snapshotter(dirs.snapDir(), live, liveSessions, new ZxidProgress() {
                @Override
                public long applied() {
                    return applied.get();
                }

                @Override
                public long issued() {
                    return issued.get();
                }
            }, commitLog);

            Thread writer = Thread.ofPlatform().name("test-writer").start(() -> {
                try {
                    StorageTestSupport.Generator gen = new StorageTestSupport.Generator(live, 99, 0);
                    int batches = 0;
                    while (!stop.get()) {
                        List<LoggedTxn> batch = new ArrayList<>();
                        for (int i = 0; i < 1 + batches % 4; i++) {
                            LoggedTxn t = gen.next();
                            issued.set(t.zxid());
                            StorageTestSupport.apply(t, live, liveSessions);
                            applied.set(t.zxid());
                            batch.add(t);
                        }
                        commitLog.submit(batch, () -> { });
                        if (++batches % 97 == 0) {
                            commitLog.rollOnNextRound();
                        }
                    }
                } catch (Throwable e) {
                    writerFailure.set(e);
                }
            });

            for (int i = 0; i < 4; i++) {
                long from = applied.get();
                await().atMost(Duration.ofSeconds(60)).until(() -> applied.get() >= from + 400
                        || writerFailure.get() != null);
                Snapshotter.Taken t = snapshotter.take();
                taken.add(t);
                // how many nodes the snapshot holds from after its zxid: evidence that it was fuzzy
                long later = SnapshotFile.read(t.file()).nodes().stream()
                        .mapToLong(NodeImage::mzxid).filter(z -> z > t.zxid()).count();
                fuzzyNodes.add(later);
            }
            long end = applied.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> applied.get() >= end + 200
                    || writerFailure.get() != null);
            stop.set(true);
            writer.join();
            assertThat(writerFailure.get()).isNull();
            commitLog.awaitDurable(applied.get());
            commitLog.stop();
            logThread.join();
            commitLog.close();
        }
        assertThat(LogFiles.list(root.resolve("live").resolve(LogFiles.VERSION_DIR), LogFiles.LOG_PREFIX))
                .as("the log rolled").hasSizeGreaterThan(2);

        for (int i = 0; i < taken.size(); i++) {
            Snapshotter.Taken t = taken.get(i);
            Path copy = root.resolve("copy" + i);
            Path version = copy.resolve(LogFiles.VERSION_DIR);
            java.nio.file.Files.createDirectories(version);
            java.nio.file.Files.copy(t.file(), version.resolve(t.file().getFileName()));
            for (LogFiles.Named l : LogFiles.list(root.resolve("live").resolve(LogFiles.VERSION_DIR),
                    LogFiles.LOG_PREFIX)) {
                java.nio.file.Files.copy(l.path(), version.resolve(l.path().getFileName()));
            }
            DataTree recovered = new DataTree();
            SessionTracker sessions = StorageTestSupport.newSessions();
            try (DataDirs dirs = DataDirs.open(copy, copy)) {
                assertThat(Recovery.recover(dirs, recovered, sessions, MAX_ENTRY)).isEqualTo(applied.get());
            }
            assertThat(StorageTestSupport.dump(recovered)).as("snapshot %s (%d later nodes)", t.file().getFileName(),
                    fuzzyNodes.get(i)).isEqualTo(StorageTestSupport.dump(live));
            assertThat(StorageTestSupport.children(recovered)).isEqualTo(StorageTestSupport.children(live));
            assertThat(recovered.allEphemerals()).isEqualTo(live.allEphemerals());
            assertThat(StorageTestSupport.sessionIds(sessions)).isEqualTo(StorageTestSupport.sessionIds(liveSessions));
            for (String p : live.paths()) {
                assertThat(recovered.get(p).stat()).as(p).isEqualTo(live.get(p).stat());
            }
        }
    }
}
