package io.ensemble.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * ZooKeeper's epoch files in the data directory (next to {@code myid}): {@code acceptedEpoch}, the last epoch
 * this server promised to follow, and {@code currentEpoch}, the last one it synced with. Each holds the epoch as
 * a decimal number, as ZooKeeper writes it, so a data directory can move between the two.
 */
public final class EpochFiles {
    public static final String ACCEPTED = "acceptedEpoch";
    public static final String CURRENT = "currentEpoch";

    private EpochFiles() {
    }

    /** The epoch in the file, or 0 if there is none yet (a fresh server). */
    public static long read(Path dataDir, String name) {
        Path file = dataDir.resolve(name);
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1); // any bytes decode
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new StorageException("Cannot read " + file + ": " + e);
        }
        String value = text.strip(); // tolerate a newline from a hand edit
        try {
            long epoch = Long.parseLong(value);
            if (epoch < 0) {
                throw new NumberFormatException();
            }
            return epoch;
        } catch (NumberFormatException e) {
            throw new StorageException(file + " holds '" + abbreviate(value) + "', not an epoch number; "
                    + "refusing to start (restore it, or remove this server's data to resync it)");
        }
    }

    /**
     * Replaces the file atomically: written to a temp file, fsynced, renamed over the old one and the directory
     * fsynced, so a crash leaves either the old epoch or the new one, never a torn number. A promise to a leader
     * counts only once this returns.
     */
    public static void write(Path dataDir, String name, long epoch) {
        Path file = dataDir.resolve(name);
        Path temp = dataDir.resolve(name + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(Long.toString(epoch).getBytes(StandardCharsets.US_ASCII));
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Fsync.directory(dataDir);
        } catch (IOException e) {
            throw new StorageException("Cannot write " + file + ": " + e);
        }
    }

    private static String abbreviate(String s) {
        String oneLine = s.replaceAll("\\s+", " ").replaceAll("[^\\x20-\\x7e]", "?");
        return oneLine.length() <= 40 ? oneLine : oneLine.substring(0, 40) + "...";
    }
}
