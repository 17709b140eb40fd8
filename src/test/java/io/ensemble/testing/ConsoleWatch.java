package io.ensemble.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;

/**
 * Follows a server's console from a mark on, reading only what was appended, so that a test can act within a
 * millisecond or two of a line appearing (e.g. "syncing with leader 3 by SNAP": the moment to kill it).
 */
public final class ConsoleWatch {
    private final Path console;
    private long offset;
    private final StringBuilder partial = new StringBuilder();

    private ConsoleWatch(Path console, long offset) {
        this.console = console;
        this.offset = offset;
    }

    /** Watches what is appended to {@code console} from now on. */
    public static ConsoleWatch fromNow(Path console) {
        return new ConsoleWatch(console, console.toFile().length());
    }

    /** Waits for a new line containing {@code text} and returns it; polls every millisecond. */
    public String awaitLine(String text, Duration atMost) {
        AtomicReference<String> found = new AtomicReference<>();
        await("a console line with \"" + text + "\" in " + console).atMost(atMost).pollInterval(Duration.ofMillis(1))
                .pollDelay(Duration.ZERO).until(() -> {
                    found.set(nextLineContaining(text));
                    return found.get() != null;
                });
        return found.get();
    }

    /** The first complete new line containing {@code text}, consuming lines up to it; null if none yet. */
    public String nextLineContaining(String text) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(console.toFile(), "r")) {
            long length = f.length();
            while (true) {
                int nl;
                while ((nl = partial.indexOf("\n")) >= 0) {
                    String line = partial.substring(0, nl);
                    partial.delete(0, nl + 1);
                    if (line.contains(text)) {
                        return line;
                    }
                }
                if (offset >= length) {
                    return null;
                }
                byte[] chunk = new byte[(int) Math.min(64 * 1024, length - offset)];
                f.seek(offset);
                f.readFully(chunk);
                offset += chunk.length;
                partial.append(new String(chunk, StandardCharsets.UTF_8));
            }
        }
    }
}
