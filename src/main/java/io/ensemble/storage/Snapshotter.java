package io.ensemble.storage;

import io.ensemble.session.Session;
import io.ensemble.session.SessionTracker;
import io.ensemble.tree.DataTree;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes fuzzy snapshots in the background while writes go on. A snapshot is named by the last zxid applied when
 * it started; it may also hold effects of later transactions, which is harmless because replaying them from
 * that zxid is idempotent. It is published (renamed into place) only once the log is durable up to the last
 * zxid it could contain, so it never holds a change that a crash could take out of the log.
 */
public final class Snapshotter {
    private static final Logger LOG = Logger.getLogger(Snapshotter.class.getName());

    /** What the last snapshot took, for reports. */
    public record Taken(Path file, long zxid, long bytes, long millis) {
    }

    private final Path dir;
    private final DataTree tree;
    private final SessionTracker sessions;
    private final ZxidProgress progress;
    private final GroupCommitLog log;
    private final AtomicBoolean inProgress = new AtomicBoolean();
    private volatile Taken last;
    private volatile Thread background;

    public Snapshotter(Path dir, DataTree tree, SessionTracker sessions, ZxidProgress progress,
                       GroupCommitLog log) {
        this.dir = dir;
        this.tree = tree;
        this.sessions = sessions;
        this.progress = progress;
        this.log = log;
    }

    /** Starts a snapshot on a virtual thread unless one is running ("too busy to snap", as ZooKeeper says). */
    public boolean startInBackground() {
        if (!inProgress.compareAndSet(false, true)) {
            LOG.warning("Too busy to snapshot, skipping");
            return false;
        }
        background = Thread.ofVirtual().name("snapshot").start(() -> {
            try {
                take();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "Snapshot failed (the log still holds everything): " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inProgress.set(false);
            }
        });
        return true;
    }

    /** Writes a snapshot now, on the calling thread. */
    public Taken take() throws IOException, InterruptedException {
        long started = System.nanoTime();
        long zxid = progress.applied();
        Path target = LogFiles.snapName(dir, zxid);
        Path temp = dir.resolve(target.getFileName() + ".tmp");
        Map<Long, Integer> sessionTimeouts = new HashMap<>();
        for (Session s : sessions.all()) {
            sessionTimeouts.put(s.id(), s.timeout());
        }
        try (OutputStream out = Files.newOutputStream(temp)) {
            SnapshotFile.write(out, zxid, sessionTimeouts, tree::forEachNode);
        }
        long endZxid = progress.issued();
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        log.awaitDurable(endZxid);
        if (log.durableZxid() < endZxid) {
            // The log stopped (closing, or it failed): publishing could keep changes that are not in the log.
            Files.deleteIfExists(temp);
            throw new IOException("snapshot " + target.getFileName() + " abandoned: the log is durable only up to 0x"
                    + Long.toHexString(log.durableZxid()) + ", not 0x" + Long.toHexString(endZxid));
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Fsync.directory(dir);
        Taken t = new Taken(target, zxid, Files.size(target), (System.nanoTime() - started) / 1_000_000);
        last = t;
        LOG.info("Snapshot " + target.getFileName() + " written: " + t.bytes() + " bytes in " + t.millis() + " ms");
        return t;
    }

    /** Waits for a background snapshot to finish (at close, so none writes after the directory is unlocked). */
    public void awaitBackground(long millis) throws InterruptedException {
        Thread t = background;
        if (t != null) {
            t.join(millis);
        }
    }

    public Taken last() {
        return last;
    }
}
