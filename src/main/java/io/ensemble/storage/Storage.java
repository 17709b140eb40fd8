package io.ensemble.storage;

import io.ensemble.config.StorageConfig;
import io.ensemble.session.SessionTracker;
import io.ensemble.tree.DataTree;
import io.ensemble.txn.LoggedTxn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The durable side of one server: the locked data directories, recovery at start-up, the group-commit log
 * thread, snapshots every snapCount transactions, and autopurge.
 */
public final class Storage implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Storage.class.getName());

    /**
     * What recovery brings back besides the tree: the last zxid, and the newest replayed transactions, which a
     * leader uses to sync followers by DIFF instead of a full snapshot.
     *
     * @param lastZxid the last transaction on disk (the snapshot's zxid if the log adds nothing)
     * @param tailBase the zxid just before {@code tail}'s first entry (the snapshot's if the tail starts right
     *                 after it); equal to lastZxid when the tail is empty
     * @param tail     the newest replayed transactions in zxid order, at most the number asked for
     */
    public record Recovered(long lastZxid, long tailBase, List<LoggedTxn> tail) {
        public Recovered {
            tail = List.copyOf(tail);
        }
    }

    /** How many transactions a leader keeps for DIFFs by default (ZooKeeper's commitLogCount). */
    public static final int DEFAULT_TAIL = 500;

    private final StorageConfig config;
    private final DataDirs dirs;
    private final DataTree tree;
    private final SessionTracker sessions;
    private final int maxEntryBytes;
    private final AtomicLong sinceSnapshot = new AtomicLong();
    /** Each server snapshots at a random point of the second half of snapCount, so an ensemble never does it
     * all at once. */
    private final long snapshotEvery;
    private GroupCommitLog commitLog;
    private Snapshotter snapshotter;
    private Thread logThread;
    private Thread purgeThread;

    private Storage(StorageConfig config, DataDirs dirs, DataTree tree, SessionTracker sessions, int maxEntryBytes) {
        this.config = config;
        this.dirs = dirs;
        this.tree = tree;
        this.sessions = sessions;
        this.maxEntryBytes = maxEntryBytes;
        int half = config.snapCount() / 2;
        this.snapshotEvery = half + 1 + ThreadLocalRandom.current().nextInt(Math.max(1, half));
    }

    /** Locks and prepares the directories; throws StorageException with one clear line if it cannot. */
    public static Storage open(StorageConfig config, Path dataDir, Path dataLogDir, int juteMaxBuffer,
                               DataTree tree, SessionTracker sessions) {
        if (!config.forceSync()) {
            LOG.warning("forceSync=no: transactions are not fsynced; acknowledged writes can be lost on power loss "
                    + "(use only for tests and benchmarks)");
        }
        return new Storage(config, DataDirs.open(dataDir, dataLogDir), tree, sessions, maxEntryBytes(juteMaxBuffer));
    }

    /**
     * The largest transaction the log holds and reads back. A transaction can be larger than the request that made
     * it (a multi of sequential creates: each name grows by its 10-digit suffix), so, like ZooKeeper since 3.6
     * (jute.maxbuffer.extrasize, by default jute.maxbuffer again), the limit is twice jute.maxbuffer, plus room for
     * the header. Writes whose transaction would be larger still are refused before they are logged.
     */
    public static int maxEntryBytes(int juteMaxBuffer) {
        return (int) Math.min(Integer.MAX_VALUE - 8192, 2L * juteMaxBuffer + 4096);
    }

    /** Restores the tree and sessions from disk; returns the last zxid. */
    public long recover() {
        return Recovery.recover(dirs, tree, sessions, maxEntryBytes);
    }

    /**
     * Restores the tree and sessions from disk; also returns the newest {@code keep} replayed transactions (see
     * {@link #DEFAULT_TAIL}), which a leader serves DIFFs from.
     */
    public Recovered recoverWithTail(int keep) {
        return Recovery.recoverWithTail(dirs, tree, sessions, maxEntryBytes, keep);
    }

    /**
     * Starts the log thread (and autopurge). {@code progress} tells snapshots how far the tree is;
     * {@code onFatal} runs if the log cannot be written.
     */
    public GroupCommitLog start(long lastZxid, ZxidProgress progress, Runnable onFatal) {
        TxnLog log = new TxnLog(dirs.logDir(), config.preAllocBytes(), config.forceSync());
        commitLog = new GroupCommitLog(log, lastZxid, this::logged, onFatal);
        snapshotter = new Snapshotter(dirs.snapDir(), tree, sessions, progress, commitLog);
        logThread = Thread.ofPlatform().name("txn-log").daemon().start(commitLog);
        if (config.purgeIntervalHours() > 0) {
            purgeThread = Thread.ofPlatform().name("autopurge").daemon().start(this::purgeLoop);
        }
        return commitLog;
    }

    private void logged(int txns, long lastZxid, long fsyncNanos) {
        if (sinceSnapshot.addAndGet(txns) >= snapshotEvery) {
            sinceSnapshot.set(0);
            if (snapshotter.startInBackground()) {
                commitLog.rollOnNextRound();
            }
        }
    }

    private void purgeLoop() {
        long interval = config.purgeIntervalHours() * 3_600_000L;
        while (true) {
            try {
                Thread.sleep(interval);
                purge();
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warning("Autopurge failed: " + e);
            }
        }
    }

    public void purge() throws IOException {
        Purger.purge(dirs.snapDir(), dirs.logDir(), config.snapRetainCount());
    }

    public Snapshotter snapshotter() {
        return snapshotter;
    }

    public GroupCommitLog commitLog() {
        return commitLog;
    }

    public Path snapDir() {
        return dirs.snapDir();
    }

    public Path logDir() {
        return dirs.logDir();
    }

    @Override
    public void close() {
        if (purgeThread != null) {
            purgeThread.interrupt();
        }
        if (commitLog != null) {
            commitLog.stop();
            try {
                logThread.join(10_000);
                snapshotter.awaitBackground(10_000);
                commitLog.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                LOG.warning("Closing the transaction log failed: " + e);
            }
        }
        dirs.close();
    }
}
