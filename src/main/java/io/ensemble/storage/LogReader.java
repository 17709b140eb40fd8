package io.ensemble.storage;

import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.TxnCodec;
import io.ensemble.wire.JuteReader;
import io.ensemble.wire.MalformedRecordException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.zip.CRC32;

/**
 * Reads the log back at start-up, from the file that holds the first transaction after a snapshot. A bad entry
 * with nothing valid after it in the last file is a torn write from a crash: the tail is cut off there. A bad
 * entry with valid data after it, a gap in the zxids, or a missing file is a hole in acknowledged history: the
 * server refuses to start rather than serve it.
 */
public final class LogReader {
    private static final Logger LOG = Logger.getLogger(LogReader.class.getName());

    /** What was read: the files, the zxid range replayed and how many transactions. */
    public record Result(int files, long firstZxid, long lastZxid, long count, String truncated) {
    }

    private final int maxEntryBytes;

    public LogReader(int maxEntryBytes) {
        this.maxEntryBytes = maxEntryBytes;
    }

    /**
     * Feeds every logged transaction with zxid > afterZxid to the consumer, in order. Each zxid must follow the one
     * before it (see {@link ZxidSequence#follows}), across files too, and the first file must continue afterZxid.
     */
    public Result replay(Path dir, long afterZxid, Consumer<LoggedTxn> consumer) throws IOException {
        List<LogFiles.Named> files = LogFiles.list(dir, LogFiles.LOG_PREFIX);
        int start = 0;
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i).zxid() <= afterZxid + 1) {
                start = i;
            }
        }
        long prev = -1; // the last entry read; -1 before the first
        long first = -1;
        long count = 0;
        String truncated = null;
        for (int i = start; i < files.size(); i++) {
            LogFiles.Named file = files.get(i);
            boolean last = i == files.size() - 1;
            if (prev >= 0 && !ZxidSequence.follows(prev, file.zxid())) {
                throw new StorageException("Transaction log gap: " + files.get(i - 1).path().getFileName()
                        + " ends at zxid " + ZxidSequence.hex(prev) + " but the next file is "
                        + file.path().getFileName() + "; transactions are missing, refusing to start");
            }
            if (prev < 0 && file.zxid() > afterZxid + 1 && !ZxidSequence.follows(afterZxid, file.zxid())) {
                throw new StorageException("Transaction log gap: the snapshot ends at zxid "
                        + ZxidSequence.hex(afterZxid) + " but the oldest log file is " + file.path().getFileName()
                        + "; transactions are missing, refusing to start");
            }
            FileScan scan = scan(file.path(), last);
            if (scan.txns.isEmpty() && !last) {
                throw new StorageException("Transaction log " + file.path() + " holds no transactions but newer "
                        + "files follow it; transactions are missing, refusing to start");
            }
            if (!scan.txns.isEmpty() && scan.txns.getFirst().zxid() != file.zxid()) {
                throw new StorageException("Transaction log " + file.path() + " starts with zxid "
                        + ZxidSequence.hex(scan.txns.getFirst().zxid()) + ", not the one in its name; refusing "
                        + "to start");
            }
            for (LoggedTxn t : scan.txns) {
                if (prev >= 0 && !ZxidSequence.follows(prev, t.zxid())) {
                    throw new StorageException("Transaction log " + file.path() + " jumps from zxid "
                            + ZxidSequence.hex(prev) + " to " + ZxidSequence.hex(t.zxid()) + "; refusing to start");
                }
                prev = t.zxid();
                if (t.zxid() > afterZxid) {
                    if (first < 0) {
                        first = t.zxid();
                    }
                    consumer.accept(t);
                    count++;
                }
            }
            if (scan.truncatedAt >= 0) {
                truncated = file.path().getFileName() + " at offset " + scan.truncatedAt;
            }
        }
        long lastZxid = Math.max(afterZxid, prev);
        return new Result(files.size() - start, first, lastZxid, count, truncated);
    }

    /** Where a file's entries pass a zxid: how many are at or below it, and the offset of the first above it. */
    record Cut(int kept, long offset) {
        /** No entry above the zxid: the file stays as it is. */
        static final long NONE = -1;
    }

    /**
     * Finds where to cut a file so that it ends with its last entry at or below zxid. A torn tail of the newest
     * file counts as above the zxid (it is cut off with it); damage anywhere else refuses, touching nothing.
     */
    Cut findCut(Path path, long zxid, boolean lastFile) throws IOException {
        ByteBuffer buf = map(path);
        if (buf.remaining() < TxnLog.HEADER_SIZE || buf.getInt(0) != TxnLog.MAGIC) {
            if (lastFile && isBlank(buf, 0)) {
                return new Cut(0, 0);
            }
            throw new StorageException("Not a transaction log (bad header): " + path + "; refusing to truncate");
        }
        int pos = TxnLog.HEADER_SIZE;
        int kept = 0;
        CRC32 crc = new CRC32();
        while (true) {
            LoggedTxn txn = entryAt(buf, pos, crc);
            if (txn == END) {
                return new Cut(kept, Cut.NONE);
            }
            if (txn == null) {
                if (lastFile && !hasValidEntryAfter(buf, pos)) {
                    return new Cut(kept, pos);
                }
                throw new StorageException("Corrupt transaction log entry in " + path + " at offset " + pos
                        + " with valid transactions after it; refusing to truncate");
            }
            if (txn.zxid() > zxid) {
                return new Cut(kept, pos);
            }
            kept++;
            pos += TxnLog.ENTRY_OVERHEAD + buf.getInt(pos);
        }
    }

    private record FileScan(List<LoggedTxn> txns, long truncatedAt) {
    }

    private FileScan scan(Path path, boolean lastFile) throws IOException {
        ByteBuffer buf = map(path);
        List<LoggedTxn> txns = new ArrayList<>();
        if (buf.remaining() < TxnLog.HEADER_SIZE || buf.getInt(0) != TxnLog.MAGIC) {
            if (lastFile && isBlank(buf, 0)) {
                LOG.warning("Removing " + path + ": its header was never written (crash while creating it)");
                Files.delete(path);
                return new FileScan(txns, 0);
            }
            throw new StorageException("Not a transaction log (bad header): " + path + "; refusing to start");
        }
        int pos = TxnLog.HEADER_SIZE;
        CRC32 crc = new CRC32();
        while (true) {
            LoggedTxn txn = entryAt(buf, pos, crc);
            if (txn == END && txns.isEmpty() && lastFile) {
                // Created, then the server stopped before its first entry: the next start reuses the name.
                Files.delete(path);
                return new FileScan(txns, -1);
            }
            if (txn == END) {
                return new FileScan(txns, -1);
            }
            if (txn == null) {
                return badEntry(path, buf, pos, lastFile, txns);
            }
            txns.add(txn);
            pos += TxnLog.ENTRY_OVERHEAD + buf.getInt(pos);
        }
    }

    private static final LoggedTxn END = new LoggedTxn(null, null);

    /** Maps the file instead of reading it: a preallocated log is mostly zeros that need not be copied. */
    private static ByteBuffer map(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
    }

    /** The entry at pos, END at the end of the log, or null if the entry is damaged. */
    private LoggedTxn entryAt(ByteBuffer buf, int pos, CRC32 crc) {
        if (buf.limit() - pos < TxnLog.ENTRY_OVERHEAD) {
            return isBlank(buf, pos) ? END : null;
        }
        int len = buf.getInt(pos);
        if (len == 0) {
            return buf.getInt(pos + 4) == 0 ? END : null;
        }
        if (len < 0 || len > maxEntryBytes || len > buf.limit() - pos - TxnLog.ENTRY_OVERHEAD) {
            return null;
        }
        crc.reset();
        crc.update(buf.slice(pos + TxnLog.ENTRY_OVERHEAD, len));
        if ((int) crc.getValue() != buf.getInt(pos + 4)) {
            return null;
        }
        try {
            byte[] payload = new byte[len];
            buf.get(pos + TxnLog.ENTRY_OVERHEAD, payload);
            JuteReader r = new JuteReader(payload);
            return TxnCodec.read(r);
        } catch (MalformedRecordException e) {
            return null;
        }
    }

    private FileScan badEntry(Path path, ByteBuffer buf, int pos, boolean lastFile, List<LoggedTxn> txns)
            throws IOException {
        String where = path + " at offset " + pos + " (after zxid 0x"
                + (txns.isEmpty() ? "none" : Long.toHexString(txns.get(txns.size() - 1).zxid())) + ")";
        if (!lastFile || hasValidEntryAfter(buf, pos)) {
            throw new StorageException("Corrupt transaction log entry in " + where
                    + " with valid transactions after it; refusing to start rather than serve a hole "
                    + "(restore the file from a backup, or remove this server's data to resync it)");
        }
        if (txns.isEmpty()) {
            // Not one entry made it: drop the file, so the next start can create it again under the same name.
            LOG.warning("Removing " + path + ": its first entry is torn (a write cut short by a crash)");
            Files.delete(path);
            return new FileScan(txns, pos);
        }
        LOG.warning("Truncating the torn tail of " + where + " (a write cut short by a crash)");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.truncate(pos);
            ch.force(true);
        }
        return new FileScan(txns, pos);
    }

    /** Whether any intact entry starts after a damaged one: the damage is then in the middle, not a torn tail. */
    private boolean hasValidEntryAfter(ByteBuffer buf, int bad) {
        CRC32 crc = new CRC32();
        for (int p = bad + 1; p <= buf.limit() - TxnLog.ENTRY_OVERHEAD; p++) {
            if (buf.get(p) == 0 && buf.getInt(p) == 0) {
                continue;
            }
            LoggedTxn t = entryAt(buf, p, crc);
            if (t != null && t != END) {
                return true;
            }
        }
        return false;
    }

    private static boolean isBlank(ByteBuffer buf, int from) {
        for (int i = from; i < buf.limit(); i++) {
            if (buf.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
