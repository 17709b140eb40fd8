package io.ensemble.quorum.transport;

import io.ensemble.quorum.election.tcp.Frames.BadFrameException;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The snapshot that follows a SNAP frame: chunks {@code int length, byte[length]} ended by a 0-length chunk. Chunks
 * let the leader stream a tree of unknown serialized size; each is bounded like a frame.
 */
final class SnapshotChunks {

    private SnapshotChunks() {
    }

    /** Buffers up to one chunk; {@link #finish()} writes the rest and the end marker. Close keeps the socket open. */
    static final class Out extends OutputStream {
        private final DataOutputStream socket;
        private final byte[] buffer;
        private int used;
        private boolean finished;

        Out(DataOutputStream socket, int chunkBytes) {
            this.socket = socket;
            this.buffer = new byte[chunkBytes];
        }

        @Override
        public void write(int b) throws IOException {
            ensureOpen();
            if (used == buffer.length) {
                flushChunk();
            }
            buffer[used++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ensureOpen();
            while (len > 0) {
                if (used == buffer.length) {
                    flushChunk();
                }
                int n = Math.min(len, buffer.length - used);
                System.arraycopy(b, off, buffer, used, n);
                used += n;
                off += n;
                len -= n;
            }
        }

        @Override
        public void close() throws IOException {
            flushChunk(); // SnapshotFile.write closes its stream; the socket stays open
        }

        void finish() throws IOException {
            if (!finished) {
                flushChunk();
                finished = true;
                socket.writeInt(0);
                socket.flush();
            }
        }

        private void ensureOpen() throws IOException {
            if (finished) {
                throw new IOException("snapshot written to after it ended");
            }
        }

        private void flushChunk() throws IOException {
            if (used > 0) {
                socket.writeInt(used);
                socket.write(buffer, 0, used);
                used = 0;
            }
        }
    }

    /** Reads the chunks as one stream, ending at the end marker; closing it skips whatever is left of the snapshot. */
    static final class In extends InputStream {
        private final DataInputStream socket;
        private final int maxChunkBytes;
        private int leftInChunk;
        private boolean ended;

        In(DataInputStream socket, int maxChunkBytes) {
            this.socket = socket;
            this.maxChunkBytes = maxChunkBytes;
        }

        @Override
        public int read() throws IOException {
            if (!nextChunkIfNeeded()) {
                return -1;
            }
            leftInChunk--;
            return socket.readUnsignedByte();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!nextChunkIfNeeded()) {
                return -1;
            }
            int n = socket.read(b, off, Math.min(len, leftInChunk));
            if (n < 0) {
                throw new IOException("connection ended inside a snapshot");
            }
            leftInChunk -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            skipToEnd();
        }

        /** Consumes the rest of the snapshot so the next frame can be read. */
        void skipToEnd() throws IOException {
            while (nextChunkIfNeeded()) {
                socket.skipNBytes(leftInChunk);
                leftInChunk = 0;
            }
        }

        private boolean nextChunkIfNeeded() throws IOException {
            if (ended) {
                return false;
            }
            if (leftInChunk > 0) {
                return true;
            }
            int length = socket.readInt();
            if (length < 0 || length > maxChunkBytes) {
                throw new BadFrameException("snapshot chunk length " + length + " outside 0.." + maxChunkBytes);
            }
            leftInChunk = length;
            ended = length == 0;
            return !ended;
        }
    }
}
