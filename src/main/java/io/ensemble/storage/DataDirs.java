package io.ensemble.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.logging.Logger;

/**
 * The data directories: created if missing, checked for writability, and locked so that two servers cannot
 * share one (which would interleave two logs into garbage).
 */
public final class DataDirs implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DataDirs.class.getName());
    static final String LOCK_FILE = ".ensemble.lock";

    private final Path snapDir;
    private final Path logDir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirs(Path snapDir, Path logDir, FileChannel lockChannel, FileLock lock) {
        this.snapDir = snapDir;
        this.logDir = logDir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    public static DataDirs open(Path dataDir, Path dataLogDir) {
        Path snap = prepare(dataDir, "dataDir").resolve(LogFiles.VERSION_DIR);
        Path log = prepare(dataLogDir, "dataLogDir").resolve(LogFiles.VERSION_DIR);
        create(snap, "dataDir");
        create(log, "dataLogDir");
        Path lockPath = dataDir.resolve(LOCK_FILE);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw new StorageException("dataDir " + dataDir.toAbsolutePath()
                        + " is locked by another running server (" + lockPath + "); each server needs its own");
            }
            return new DataDirs(snap, log, ch, lock);
        } catch (OverlappingFileLockException e) {
            close(ch);
            throw new StorageException("dataDir " + dataDir.toAbsolutePath()
                    + " is locked by another server in this process (" + lockPath + "); each server needs its own");
        } catch (IOException e) {
            close(ch);
            throw new StorageException("Cannot lock dataDir " + dataDir.toAbsolutePath() + ": " + e.getMessage());
        }
    }

    private static Path prepare(Path dir, String key) {
        Path abs = dir.toAbsolutePath();
        if (abs.startsWith("/tmp")) {
            LOG.warning(key + " " + abs + " is under /tmp: many systems clear /tmp on reboot and the data is lost");
        }
        create(abs, key);
        if (!Files.isWritable(abs)) {
            throw new StorageException(key + " " + abs + " is not writable by this user");
        }
        probeWrite(abs, key);
        return abs;
    }

    /** Writes and fsyncs a small file, so a full disk is reported at start-up rather than at the first write. */
    private static void probeWrite(Path dir, String key) {
        Path probe = dir.resolve(".ensemble.probe");
        try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.allocate(64 * 1024));
            ch.force(true);
        } catch (IOException e) {
            throw new StorageException("Cannot write to " + key + " " + dir + " (disk full or read-only?): "
                    + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // the next start overwrites it
            }
        }
    }

    private static void create(Path dir, String key) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("Cannot create " + key + " " + dir + ": " + e);
        }
    }

    public Path snapDir() {
        return snapDir;
    }

    public Path logDir() {
        return logDir;
    }

    private static void close(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception ignored) {
            // best effort
        }
    }

    @Override
    public void close() {
        close(lock);
        close(lockChannel);
    }
}
