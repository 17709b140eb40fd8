package io.ensemble.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Naming of log and snapshot files: {@code log.<hex zxid>} named by the first transaction it holds and
 * {@code snapshot.<hex zxid>} by the last transaction applied when it started, both under {@code version-2/}
 * as in ZooKeeper.
 */
public final class LogFiles {
    public static final String VERSION_DIR = "version-2";
    public static final String LOG_PREFIX = "log.";
    public static final String SNAP_PREFIX = "snapshot.";

    private LogFiles() {
    }

    /** A data file and the zxid in its name. */
    public record Named(Path path, long zxid) {
    }

    public static Path logName(Path dir, long firstZxid) {
        return dir.resolve(LOG_PREFIX + Long.toHexString(firstZxid));
    }

    public static Path snapName(Path dir, long zxid) {
        return dir.resolve(SNAP_PREFIX + Long.toHexString(zxid));
    }

    /** Files with the prefix, oldest (lowest zxid) first; names that do not parse are ignored. */
    public static List<Named> list(Path dir, String prefix) throws IOException {
        List<Named> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(prefix)) {
                    try {
                        out.add(new Named(p, Long.parseUnsignedLong(name.substring(prefix.length()), 16)));
                    } catch (NumberFormatException ignored) {
                        // a temp file or somebody else's file
                    }
                }
            }
        }
        out.sort(Comparator.comparingLong(Named::zxid));
        return out;
    }
}
