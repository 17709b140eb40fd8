package io.ensemble.testing;

import io.ensemble.storage.LogFiles;
import io.ensemble.storage.LogReader;
import io.ensemble.txn.TxnCodec;
import io.ensemble.wire.JuteWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads stopped servers' transaction logs with the server's own {@link LogReader} (on a copy: the reader trims
 * torn tails) and checks them against each other: one zxid, one transaction, on every server that logged it.
 */
public final class LogAudit {
    private LogAudit() {
    }

    /** Every logged transaction of the data directory, by zxid, in its binary form. */
    public static Map<Long, byte[]> read(Path dataDir, int maxEntryBytes) throws IOException {
        Path logDir = dataDir.resolve(LogFiles.VERSION_DIR);
        Path copy = Files.createTempDirectory("log-audit");
        try {
            List<LogFiles.Named> logs = LogFiles.list(logDir, LogFiles.LOG_PREFIX);
            for (LogFiles.Named l : logs) {
                Files.copy(l.path(), copy.resolve(l.path().getFileName()));
            }
            Map<Long, byte[]> out = new TreeMap<>();
            if (logs.isEmpty()) {
                return out;
            }
            JuteWriter w = new JuteWriter();
            new LogReader(maxEntryBytes).replay(copy, logs.getFirst().zxid() - 1, t -> {
                w.reset();
                TxnCodec.write(w, t.header(), t.txn());
                if (out.put(t.zxid(), w.toByteArray()) != null) {
                    throw new IllegalStateException("zxid 0x" + Long.toHexString(t.zxid()) + " logged twice in "
                            + logDir);
                }
            });
            return out;
        } finally {
            try (var files = Files.list(copy)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(copy);
        }
    }

    /** Zxids that two servers logged with different transactions (empty when the logs agree). */
    public static List<String> conflicts(Map<Integer, Map<Long, byte[]>> logs) {
        List<String> out = new ArrayList<>();
        Map<Long, Integer> firstSeen = new TreeMap<>();
        for (var server : logs.entrySet()) {
            for (var e : server.getValue().entrySet()) {
                Integer other = firstSeen.putIfAbsent(e.getKey(), server.getKey());
                if (other != null && !Arrays.equals(logs.get(other).get(e.getKey()), e.getValue())) {
                    out.add("zxid 0x" + Long.toHexString(e.getKey()) + ": server " + other + " and server "
                            + server.getKey() + " logged different transactions");
                }
            }
        }
        return out;
    }

    /** Whether any of the logged transactions holds these bytes (e.g. a path). */
    public static boolean holds(Map<Long, byte[]> log, byte[] needle) {
        return log.values().stream().anyMatch(t -> indexOf(t, needle) >= 0);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
