package io.ensemble.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Autopurge: keeps the newest {@code retain} snapshots and every log file that replay from the oldest kept
 * snapshot needs (the file holding the transaction right after it, and all later ones); deletes the rest.
 */
public final class Purger {
    private static final Logger LOG = Logger.getLogger(Purger.class.getName());

    private Purger() {
    }

    /** Returns the files deleted. */
    public static List<Path> purge(Path snapDir, Path logDir, int retain) throws IOException {
        int keep = Math.max(3, retain);
        List<LogFiles.Named> snaps = LogFiles.list(snapDir, LogFiles.SNAP_PREFIX);
        List<Path> deleted = new ArrayList<>();
        if (snaps.size() <= keep) {
            return deleted;
        }
        List<LogFiles.Named> kept = snaps.subList(snaps.size() - keep, snaps.size());
        long oldestKept = kept.get(0).zxid();
        List<LogFiles.Named> logs = LogFiles.list(logDir, LogFiles.LOG_PREFIX);
        // The newest log that starts at or before oldestKept + 1 holds the first transaction replay needs.
        long firstNeededLog = Long.MIN_VALUE;
        for (LogFiles.Named l : logs) {
            if (l.zxid() <= oldestKept + 1) {
                firstNeededLog = l.zxid();
            }
        }
        for (LogFiles.Named l : logs) {
            if (l.zxid() < firstNeededLog) {
                delete(l.path(), deleted);
            }
        }
        for (LogFiles.Named s : snaps.subList(0, snaps.size() - keep)) {
            delete(s.path(), deleted);
        }
        LOG.info("Purged " + deleted.size() + " old file(s); kept " + keep + " snapshots from zxid 0x"
                + Long.toHexString(oldestKept));
        return deleted;
    }

    private static void delete(Path p, List<Path> deleted) throws IOException {
        Files.deleteIfExists(p);
        deleted.add(p);
    }
}
