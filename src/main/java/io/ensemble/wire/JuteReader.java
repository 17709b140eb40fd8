package io.ensemble.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads jute primitives (big-endian) from one frame's payload; every bound is checked against the frame. */
public final class JuteReader {
    private final ByteBuffer buf;

    public JuteReader(ByteBuffer payload) {
        this.buf = payload;
    }

    public JuteReader(byte[] payload) {
        this(ByteBuffer.wrap(payload));
    }

    public int remaining() {
        return buf.remaining();
    }

    public boolean hasRemaining() {
        return buf.hasRemaining();
    }

    private void need(int n, String what) {
        if (buf.remaining() < n) {
            throw new MalformedRecordException("truncated record: need " + n + " bytes for " + what
                    + ", have " + buf.remaining());
        }
    }

    public int readInt() {
        need(4, "int");
        return buf.getInt();
    }

    public long readLong() {
        need(8, "long");
        return buf.getLong();
    }

    public byte readByte() {
        need(1, "byte");
        return buf.get();
    }

    public boolean readBool() {
        need(1, "boolean");
        return buf.get() != 0;
    }

    public byte[] readBuffer() {
        int len = readInt();
        if (len == -1) {
            return null;
        }
        if (len < 0) {
            throw new MalformedRecordException("negative buffer length " + len);
        }
        need(len, "buffer");
        byte[] out = new byte[len];
        buf.get(out);
        return out;
    }

    public String readString() {
        int len = readInt();
        if (len == -1) {
            return null;
        }
        if (len < 0) {
            throw new MalformedRecordException("negative string length " + len);
        }
        need(len, "string");
        String s = new String(buf.array(), buf.arrayOffset() + buf.position(), len, StandardCharsets.UTF_8);
        buf.position(buf.position() + len);
        return s;
    }

    /** A vector of strings; null (count -1) stays null. */
    public List<String> readStringList() {
        int n = readVectorCount(4);
        if (n < 0) {
            return null;
        }
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(readString());
        }
        return out;
    }

    public List<Acl> readAclList() {
        int n = readVectorCount(12);
        if (n < 0) {
            return null;
        }
        List<Acl> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int perms = readInt();
            out.add(new Acl(perms, new Id(readString(), readString())));
        }
        return out;
    }

    /** Reads a vector count and rejects one that cannot fit in what is left of the frame. */
    private int readVectorCount(int minElementSize) {
        int n = readInt();
        if (n == -1) {
            return -1;
        }
        if (n < 0 || (long) n * minElementSize > buf.remaining()) {
            throw new MalformedRecordException("vector count " + n + " does not fit in the frame");
        }
        return n;
    }
}
