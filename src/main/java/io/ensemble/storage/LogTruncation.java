package io.ensemble.storage;

import io.ensemble.fault.CrashPoints;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.logging.Logger;

/**
 * Rewrites history on a learner: ZAB's TRUNC drops an uncommitted tail, and a full snapshot from the leader
 * replaces the whole log. Both run while no log is open for writing (the caller closes Storage first and opens a
 * new one after, which recovers from what is left).
 */
public final class LogTruncation {
    private static final Logger LOG = Logger.getLogger(LogTruncation.class.getName());

    private LogTruncation() {
    }

    /**
     * Drops every logged transaction with a zxid above {@code zxid}: later log files are deleted, the file holding
     * zxid is cut right after it (so the log ends cleanly and the next TxnLog starts a fresh file), and snapshots
     * named above zxid are deleted as they may hold the dropped tail. Nothing changes if the log ends at or before
     * zxid. Refuses (StorageException, nothing changed) if the files left could not rebuild the state at zxid.
     */
    public static void truncateAfter(Path snapDir, Path logDir, long zxid, int maxEntryBytes) throws IOException {
        List<LogFiles.Named> logs = LogFiles.list(logDir, LogFiles.LOG_PREFIX);
        List<LogFiles.Named> snaps = LogFiles.list(snapDir, LogFiles.SNAP_PREFIX);
        int holding = -1;
        for (int i = 0; i < logs.size(); i++) {
            if (logs.get(i).zxid() <= zxid) {
                holding = i;
            }
        }
        // Everything is decided before anything is deleted: a damaged log or a missing base refuses untouched.
        LogReader.Cut cut = holding < 0 ? null
                : new LogReader(maxEntryBytes).findCut(logs.get(holding).path(), zxid, holding == logs.size() - 1);
        boolean dropsFiles = logs.size() > holding + 1 || snaps.stream().anyMatch(s -> s.zxid() > zxid);
        boolean cutsHolding = cut != null && (cut.kept() == 0 || cut.offset() != LogReader.Cut.NONE);
        if (!dropsFiles && !cutsHolding) {
            return;
        }
        if (holding < 0) {
            requireBase(snaps, logs, zxid);
        }

        // Snapshots first: one named after zxid must not outlive the log it would be replayed with.
        int deleted = 0;
        for (LogFiles.Named s : snaps.reversed()) {
            if (s.zxid() > zxid) {
                delete(s.path());
                deleted++;
            }
        }
        if (deleted > 0) {
            Fsync.directory(snapDir);
        }
        // Newest first, so a crash part way leaves a prefix of the history (and a re-sent TRUNC finishes the job).
        for (LogFiles.Named l : logs.subList(holding + 1, logs.size()).reversed()) {
            delete(l.path());
            deleted++;
        }
        if (cut != null && cut.kept() == 0) {
            // A newest file that never got its first entry (a crash while creating it) would end the log early.
            delete(logs.get(holding).path());
            deleted++;
        } else if (cutsHolding) {
            try (FileChannel ch = FileChannel.open(logs.get(holding).path(), StandardOpenOption.WRITE)) {
                ch.truncate(cut.offset());
                ch.force(true);
            }
        }
        Fsync.directory(logDir);
        LOG.info("Truncated the log after zxid " + ZxidSequence.hex(zxid) + ": " + deleted + " file(s) deleted"
                + (cutsHolding && cut.kept() > 0 ? ", " + logs.get(holding).path().getFileName() + " cut at offset "
                + cut.offset() : ""));
    }

    /**
     * With no log file at or below zxid, the state at zxid must come from a snapshot at zxid, or from the newest
     * snapshot below it when the log resumes right after that snapshot (no transactions in between). Otherwise
     * that history was purged or replaced by a snapshot from a leader, and truncating would silently roll this
     * server back further than asked.
     */
    private static void requireBase(List<LogFiles.Named> snaps, List<LogFiles.Named> logs, long zxid) {
        long base = 0;
        for (LogFiles.Named s : snaps) {
            if (s.zxid() <= zxid) {
                base = s.zxid();
            }
        }
        if (base == zxid) {
            return;
        }
        if (!logs.isEmpty() && ZxidSequence.follows(base, logs.getFirst().zxid())) {
            return;
        }
        throw new StorageException("Cannot truncate the log after zxid " + ZxidSequence.hex(zxid)
                + ": this server no longer holds the history up to it (" + (logs.isEmpty() ? "no log files"
                : "the oldest log file is " + logs.getFirst().path().getFileName()) + ", newest snapshot at or "
                + "below it: " + (base == 0 ? "none" : ZxidSequence.hex(base)) + "); remove this server's data to "
                + "resync it in full");
    }

    /** One file gone; a crash test may stop the truncation right here, half done. */
    private static void delete(Path file) throws IOException {
        Files.delete(file);
        CrashPoints.reach(CrashPoints.STORAGE_TRUNCATION_PARTIAL);
    }

    /** Deletes every log file: a full snapshot from the leader now stands for all of that history. */
    public static void discardAll(Path logDir) throws IOException {
        List<LogFiles.Named> logs = LogFiles.list(logDir, LogFiles.LOG_PREFIX);
        for (LogFiles.Named l : logs.reversed()) {
            delete(l.path());
        }
        if (!logs.isEmpty()) {
            Fsync.directory(logDir);
            LOG.info("Discarded " + logs.size() + " log file(s) from " + ZxidSequence.hex(logs.getFirst().zxid())
                    + "; a snapshot replaces that history");
        }
    }
}
