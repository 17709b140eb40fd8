package io.ensemble.server;

import java.io.IOException;
import java.io.InputStream;

/**
 * A buffered input whose buffer follows the traffic: it doubles while reads keep filling it (a client pipelining
 * many requests gets few large reads) and falls back to the minimum once the peer goes quiet, so ten thousand idle
 * sessions do not each hold a large buffer. Reads larger than the buffer go straight to the stream.
 */
final class ElasticInput extends InputStream {
    static final int MIN = 1024;
    static final int MAX = 64 * 1024;

    /**
     * A run of small reads that means the peer has gone quiet. One is not enough: a 1 KiB request fills the minimum
     * buffer with its head and leaves a small tail for the next read, and shrinking on that tail would grow and
     * shrink the buffer again for every such request.
     */
    static final int SMALL_FILLS_BEFORE_SHRINK = 8;

    private final InputStream in;
    private byte[] buf = new byte[MIN];
    private int smallFills;
    private int pos;
    private int limit;

    ElasticInput(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == limit) {
            if (len >= buf.length) {
                return in.read(b, off, len); // a large frame: no point copying it through the buffer
            }
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() throws IOException {
        return (limit - pos) + in.available();
    }

    /** Refills the empty buffer; sized by how full the last fill was. */
    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            pos = limit = 0;
            return false;
        }
        pos = 0;
        limit = n;
        if (n >= MIN / 2) {
            smallFills = 0;
            if (n == buf.length && buf.length < MAX) {
                grow();
            }
        } else if (buf.length > MIN && ++smallFills >= SMALL_FILLS_BEFORE_SHRINK) {
            shrink();
            smallFills = 0;
        }
        return true;
    }

    /** The buffer's current size. */
    int capacity() {
        return buf.length;
    }

    /** The next fill may read twice as much; what this one read is kept. */
    private void grow() {
        byte[] bigger = new byte[buf.length * 2];
        System.arraycopy(buf, 0, bigger, 0, limit);
        buf = bigger;
    }

    private void shrink() {
        byte[] smaller = new byte[MIN];
        System.arraycopy(buf, 0, smaller, 0, limit);
        buf = smaller;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
