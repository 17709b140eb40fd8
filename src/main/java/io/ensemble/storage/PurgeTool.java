package io.ensemble.storage;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Manual purge, as ZooKeeper's {@code PurgeTxnLog} behind {@code bin/zkCleanup.sh}: keeps the newest {@code count}
 * snapshots (at least 3) and the log files replay from the oldest of them needs, and deletes older files.
 *
 * <pre>
 * PurgeTool [zoo.cfg | dataDir [dataLogDir]] [-n count]
 * </pre>
 * With a zoo.cfg, dataDir and dataLogDir come from it (dataLogDir defaults to dataDir) and count defaults to its
 * {@code autopurge.snapRetainCount}; otherwise count defaults to 3. A directory may be given with or without its
 * {@code version-2} subdirectory. Safe to run while the server runs: only files older than what it needs go.
 */
public final class PurgeTool {
    static final int MIN_RETAIN = 3;
    static final String USAGE = "Usage: PurgeTool [zoo.cfg | dataDir [dataLogDir]] -n count\n"
            + "  zoo.cfg     a server configuration: its dataDir and dataLogDir are purged\n"
            + "  dataDir     the directory of the snapshots\n"
            + "  dataLogDir  the directory of the transaction logs (default: dataDir)\n"
            + "  -n count    how many of the newest snapshots to keep, at least " + MIN_RETAIN
            + " (default: the config's autopurge.snapRetainCount, else " + MIN_RETAIN + ")";

    private PurgeTool() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Exit status: 0 done, 1 the directories are unusable or a file could not be deleted, 2 bad arguments. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> positional = new ArrayList<>();
        Integer count = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help") || a.equals("-?")) {
                out.println(USAGE);
                return 0;
            }
            if (a.equals("-n")) {
                if (i + 1 >= args.length) {
                    return usage(err, "-n needs a count");
                }
                try {
                    count = Integer.parseInt(args[++i].trim());
                } catch (NumberFormatException e) {
                    return usage(err, "-n needs a whole number, not '" + args[i] + "'");
                }
            } else if (a.startsWith("-") && a.length() > 1) {
                return usage(err, "unknown option " + a);
            } else {
                positional.add(a);
            }
        }
        if (positional.isEmpty()) {
            return usage(err, "give a zoo.cfg or a dataDir");
        }
        if (positional.size() > 2) {
            return usage(err, "too many arguments: " + String.join(" ", positional));
        }
        Path dataDir;
        Path dataLogDir;
        Path first = Path.of(positional.get(0));
        if (Files.isRegularFile(first)) {
            if (positional.size() > 1) {
                return usage(err, first + " is a file (a zoo.cfg): give no dataLogDir after it");
            }
            Properties cfg = new Properties();
            try (Reader r = Files.newBufferedReader(first, StandardCharsets.UTF_8)) {
                cfg.load(r);
            } catch (IOException | IllegalArgumentException e) {
                err.println("Error: cannot read " + first + ": " + e.getMessage());
                return 1;
            }
            String data = value(cfg, "dataDir");
            if (data == null) {
                err.println("Error: " + first + " sets no dataDir");
                return 1;
            }
            dataDir = Path.of(data);
            String logs = value(cfg, "dataLogDir");
            dataLogDir = logs == null ? dataDir : Path.of(logs);
            String retain = value(cfg, "autopurge.snapRetainCount");
            if (count == null && retain != null) {
                try {
                    count = Integer.parseInt(retain);
                } catch (NumberFormatException e) {
                    err.println("Error: autopurge.snapRetainCount=" + retain + " in " + first
                            + " is not a whole number");
                    return 1;
                }
            }
        } else {
            dataDir = first;
            dataLogDir = positional.size() > 1 ? Path.of(positional.get(1)) : dataDir;
        }
        if (count == null) {
            count = MIN_RETAIN;
        }
        if (count < MIN_RETAIN) {
            err.println("Warning: count " + count + " is below the minimum; keeping " + MIN_RETAIN + " snapshots");
            count = MIN_RETAIN;
        }
        try {
            Path snaps = versionDir(dataDir, "dataDir");
            Path logs = versionDir(dataLogDir, "dataLogDir");
            List<Path> deleted = Purger.purge(snaps, logs, count);
            for (Path p : deleted) {
                out.println("Removed " + p);
            }
            out.println("Purged " + deleted.size() + " file(s); kept the newest " + count + " snapshot(s) in " + snaps
                    + " and the transaction logs they need in " + logs);
            return 0;
        } catch (StorageException e) {
            err.println("Error: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("Error: purge failed: " + e);
            return 1;
        }
    }

    private static String value(Properties cfg, String key) {
        String v = cfg.getProperty(key);
        if (v == null || v.isBlank()) {
            return null;
        }
        return v.trim();
    }

    /** The version-2 directory the files live in; the argument may name it or its parent. */
    private static Path versionDir(Path dir, String key) {
        if (!Files.isDirectory(dir)) {
            throw new StorageException(key + " " + dir.toAbsolutePath() + " is not a directory");
        }
        Path version = dir.resolve(LogFiles.VERSION_DIR);
        if (Files.isDirectory(version)) {
            return version;
        }
        if (dir.getFileName() != null && dir.getFileName().toString().equals(LogFiles.VERSION_DIR)) {
            return dir;
        }
        throw new StorageException(key + " " + dir.toAbsolutePath() + " holds no " + LogFiles.VERSION_DIR
                + " directory: not an Ensemble data directory");
    }

    private static int usage(PrintStream err, String problem) {
        err.println("Error: " + problem);
        err.println(USAGE);
        return 2;
    }
}
