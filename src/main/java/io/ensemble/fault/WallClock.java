package io.ensemble.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The server's only reading of the wall clock, so that a test can make it jump. Wall-clock time is right only where
 * a date is recorded or shown: znode ctime/mtime and every transaction's time stamp, TTL ages (compared with mtime),
 * the session id seed, connection times in reports. Every timeout, deadline, expiry and rate counts on
 * {@link System#nanoTime()} instead, which no clock change can move.
 *
 * <p>Started with {@code -Densemble.wallClockOffsetFile=<path>}, {@link #millis()} adds the offset in milliseconds
 * that the file holds (one signed integer; a missing file is 0, a half-written one keeps the last offset) to the
 * system clock. The file is read again at most every {@value #REREAD_MILLIS} ms, so a test moves this server's
 * clock, forwards or back, by rewriting it while the server runs, as {@code date -s} or an NTP step would move a
 * machine's. The property is read once; without it {@link #millis()} is {@link System#currentTimeMillis()} after a
 * test of a constant null field.
 */
public final class WallClock {
    /** How stale the offset may be: short enough that a test sees a jump take effect within a tick. */
    static final long REREAD_MILLIS = 20;

    private static final Path OFFSET_FILE = offsetFile(System.getProperty("ensemble.wallClockOffsetFile"));
    private static final Object LOCK = new Object();
    private static long offsetMillis;
    private static long readAtNanos;
    private static boolean everRead;

    private WallClock() {
    }

    /** Milliseconds since the epoch, as this server's wall clock says (moved by the test offset, if armed). */
    public static long millis() {
        long now = System.currentTimeMillis();
        return OFFSET_FILE == null ? now : now + offset(OFFSET_FILE);
    }

    /** A {@link System#nanoTime()} reading, as wall-clock milliseconds (to show a monotonic deadline as a date). */
    public static long toWallMillis(long nanoTime) {
        return millis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }

    private static long offset(Path file) {
        synchronized (LOCK) {
            long now = System.nanoTime();
            if (!everRead || now - readAtNanos >= TimeUnit.MILLISECONDS.toNanos(REREAD_MILLIS)) {
                offsetMillis = read(file, offsetMillis);
                readAtNanos = now;
                everRead = true;
            }
            return offsetMillis;
        }
    }

    /** The offset the file holds; {@code previous} if it is being rewritten (unparsable) or unreadable. */
    static long read(Path file, long previous) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? previous : Long.parseLong(text);
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        } catch (IOException | NumberFormatException e) {
            return previous;
        }
    }

    private static Path offsetFile(String property) {
        return property == null || property.isBlank() ? null : Path.of(property);
    }
}
