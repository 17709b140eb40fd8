package io.ensemble.storage;

import io.ensemble.session.SessionTracker;
import io.ensemble.tree.DataTree;
import io.ensemble.tree.EventSink;
import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.Txn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;

/**
 * Start-up: load the newest snapshot that verifies (older ones if it does not), then replay the log after it.
 * Sessions come back with fresh deadlines; the zxid continues from the last logged transaction.
 */
public final class Recovery {
    private static final Logger LOG = Logger.getLogger(Recovery.class.getName());

    private Recovery() {
    }

    /** Restores tree and sessions; returns the last zxid. */
    public static long recover(DataDirs dirs, DataTree tree, SessionTracker sessions, int maxEntryBytes) {
        return recoverWithTail(dirs, tree, sessions, maxEntryBytes, 0).lastZxid();
    }

    /** Restores tree and sessions; returns the last zxid and the newest {@code keep} replayed transactions. */
    public static Storage.Recovered recoverWithTail(DataDirs dirs, DataTree tree, SessionTracker sessions,
                                            int maxEntryBytes, int keep) {
        long started = System.nanoTime();
        try {
            long snapZxid = loadSnapshot(dirs.snapDir(), tree, sessions);
            RecentTxns recent = new RecentTxns(keep, snapZxid);
            LogReader.Result r = new LogReader(maxEntryBytes).replay(dirs.logDir(), snapZxid, t -> {
                apply(t, tree, sessions);
                recent.accept(t);
            });
            long millis = (System.nanoTime() - started) / 1_000_000;
            LOG.info(String.format("Recovered %d nodes and %d sessions in %d ms: snapshot at zxid 0x%x, "
                            + "%d transactions replayed from %d log file(s) (zxid 0x%x..0x%x)%s",
                    tree.nodeCount(), sessions.count(), millis, snapZxid, r.count(), r.files(),
                    Math.max(r.firstZxid(), 0), r.lastZxid(),
                    r.truncated() == null ? "" : ", torn tail cut at " + r.truncated()));
            return new Storage.Recovered(r.lastZxid(), recent.base(), recent.txns());
        } catch (IOException e) {
            throw new StorageException("Cannot read the data directory: " + e.getMessage(), e);
        }
    }

    private static long loadSnapshot(Path dir, DataTree tree, SessionTracker sessions) throws IOException {
        List<LogFiles.Named> snaps = LogFiles.list(dir, LogFiles.SNAP_PREFIX);
        for (int i = snaps.size() - 1; i >= 0; i--) {
            Path file = snaps.get(i).path();
            try {
                tree.beginRestore();
                SnapshotFile.Header header = SnapshotFile.read(file, tree::restoreNode);
                tree.finishRestore();
                header.sessions().forEach(sessions::add);
                LOG.info("Loaded snapshot " + file + " (zxid 0x" + Long.toHexString(header.zxid()) + ", "
                        + tree.nodeCount() + " nodes, " + header.sessions().size() + " sessions)");
                return header.zxid();
            } catch (IOException | RuntimeException e) {
                LOG.warning("Skipping snapshot " + file + ": " + e.getMessage() + "; trying an older one");
            }
        }
        if (!snaps.isEmpty()) {
            LOG.warning("No valid snapshot found; rebuilding from the transaction log alone");
            tree.reset(); // a damaged snapshot may have been read part way
        }
        return 0;
    }

    private static void apply(LoggedTxn t, DataTree tree, SessionTracker sessions) {
        switch (t.txn()) {
            case Txn.CreateSession c -> sessions.add(t.header().sessionId(), c.timeout());
            case Txn.CloseSession c -> sessions.remove(t.header().sessionId());
            default -> { }
        }
        tree.apply(t.header(), t.txn(), EventSink.NONE);
    }
}
