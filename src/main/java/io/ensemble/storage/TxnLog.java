package io.ensemble.storage;

import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.TxnCodec;
import io.ensemble.wire.JuteWriter;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

/**
 * Appends transactions to the current log file. Entries are {@code int length, int crc32, payload}; a length of
 * 0 ends the log (the file is preallocated with zeros). Appends only buffer; {@link #sync()} writes the buffer
 * and makes it durable with one fsync, which is what makes group commit cheap.
 */
public final class TxnLog implements Closeable {
    static final int MAGIC = 0x454E4C47; // "ENLG"
    static final int FORMAT_VERSION = 1;
    static final int HEADER_SIZE = 16;
    static final int ENTRY_OVERHEAD = 8;

    private final Path dir;
    private final long preAllocBytes;
    private final boolean forceSync;
    private final JuteWriter pending = new JuteWriter(64 * 1024);
    private final JuteWriter scratch = new JuteWriter(4 * 1024);
    private final CRC32 crc = new CRC32();
    private FileChannel channel;
    private Path currentFile;
    private long position;
    private long allocated;
    private long fsyncCount;
    private long lastZxid = -1;
    /** A write or fsync failed: where the file ends is unknown, so nothing may be written to it again. */
    private IOException failed;

    public TxnLog(Path dir, long preAllocBytes, boolean forceSync) {
        this.dir = dir;
        this.preAllocBytes = preAllocBytes;
        this.forceSync = forceSync;
    }

    /** Buffers one transaction; a new file is started (named by this zxid) if none is open. */
    public void append(LoggedTxn txn) throws IOException {
        if (channel == null) {
            try {
                open(txn.zxid());
            } catch (IOException e) {
                failed = e; // a header cut short: entries written after it would make the file unreadable
                throw e;
            }
        }
        scratch.reset();
        TxnCodec.write(scratch, txn.header(), txn.txn());
        crc.reset();
        crc.update(scratch.asByteBuffer());
        pending.writeInt(scratch.size()).writeInt((int) crc.getValue());
        pending.writeRaw(scratch);
        lastZxid = txn.zxid();
    }

    /** Writes what is buffered and forces it to disk (unless forceSync is off). */
    public void sync() throws IOException {
        if (failed != null) {
            throw new IOException("the transaction log failed before: " + failed.getMessage(), failed);
        }
        if (channel == null || pending.size() == 0) {
            return;
        }
        try {
            ByteBuffer bytes = pending.asByteBuffer();
            ensureAllocated(position + bytes.remaining());
            while (bytes.hasRemaining()) {
                position += channel.write(bytes, position);
            }
            pending.reset();
            if (forceSync) {
                channel.force(false);
            }
        } catch (IOException e) {
            // Part of the buffer may be in the file (a disk that filled up mid-write). Writing it again, as close()
            // would, puts whole entries after a torn one: a log that recovery rightly refuses as corrupt.
            failed = e;
            throw e;
        }
        fsyncCount++;
    }

    /** Syncs and closes the current file; the next append starts a new one. */
    public void roll() throws IOException {
        sync();
        closeChannel();
    }

    public long fsyncCount() {
        return fsyncCount;
    }

    public long lastZxid() {
        return lastZxid;
    }

    public Path currentFile() {
        return currentFile;
    }

    private void open(long firstZxid) throws IOException {
        currentFile = LogFiles.logName(dir, firstZxid);
        channel = FileChannel.open(currentFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).putInt(MAGIC).putInt(FORMAT_VERSION).putLong(firstZxid)
                .flip();
        allocated = 0;
        ensureAllocated(HEADER_SIZE);
        position = 0;
        while (header.hasRemaining()) {
            position += channel.write(header, position);
        }
        channel.force(true);
        Fsync.directory(dir);
    }

    /** Grows the file in whole preallocation blocks so most fsyncs need not update its size. */
    private void ensureAllocated(long needed) throws IOException {
        if (needed <= allocated) {
            return;
        }
        long newSize = (needed / preAllocBytes + 1) * preAllocBytes;
        channel.write(ByteBuffer.wrap(new byte[1]), newSize - 1);
        allocated = newSize;
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    @Override
    public void close() throws IOException {
        if (failed == null) {
            sync();
        }
        closeChannel();
    }
}
