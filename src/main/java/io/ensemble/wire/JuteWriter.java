package io.ensemble.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Writes jute primitives into a growable array. A frame starts with {@link #startFrame()}, which reserves the
 * 4-byte length, and ends with {@link #endFrame()}, which fills it in; several frames may share one writer so
 * that replies for one connection leave in a single socket write.
 */
public final class JuteWriter {
    private byte[] buf;
    private int pos;
    private int frameStart = -1;

    public JuteWriter() {
        this(256);
    }

    public JuteWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    public JuteWriter startFrame() {
        frameStart = pos;
        writeInt(0);
        return this;
    }

    public JuteWriter endFrame() {
        int len = pos - frameStart - 4;
        putInt(frameStart, len);
        frameStart = -1;
        return this;
    }

    private void putInt(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    public JuteWriter writeInt(int v) {
        ensure(4);
        putInt(pos, v);
        pos += 4;
        return this;
    }

    public JuteWriter writeLong(long v) {
        writeInt((int) (v >>> 32));
        return writeInt((int) v);
    }

    public JuteWriter writeBool(boolean v) {
        return writeByte(v ? 1 : 0);
    }

    public JuteWriter writeByte(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    public JuteWriter writeBuffer(byte[] b) {
        if (b == null) {
            return writeInt(-1);
        }
        writeInt(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    /** Raw bytes with no length prefix (four-letter-word replies are plain text). */
    public JuteWriter writeRaw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    /** Appends what {@code other} holds, raw, without copying it out first. */
    public JuteWriter writeRaw(JuteWriter other) {
        ensure(other.pos);
        System.arraycopy(other.buf, 0, buf, pos, other.pos);
        pos += other.pos;
        return this;
    }

    public JuteWriter writeString(String s) {
        return writeBuffer(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    public JuteWriter writeStringList(Collection<String> list) {
        if (list == null) {
            return writeInt(-1);
        }
        writeInt(list.size());
        for (String s : list) {
            writeString(s);
        }
        return this;
    }

    public JuteWriter writeAclList(List<Acl> acls) {
        if (acls == null) {
            return writeInt(-1);
        }
        writeInt(acls.size());
        for (Acl a : acls) {
            writeInt(a.perms()).writeString(a.id().scheme()).writeString(a.id().id());
        }
        return this;
    }

    public JuteWriter writeStat(Stat s) {
        writeLong(s.czxid()).writeLong(s.mzxid()).writeLong(s.ctime()).writeLong(s.mtime());
        writeInt(s.version()).writeInt(s.cversion()).writeInt(s.aversion());
        writeLong(s.ephemeralOwner()).writeInt(s.dataLength()).writeInt(s.numChildren());
        return writeLong(s.pzxid());
    }

    public int size() {
        return pos;
    }

    public void reset() {
        pos = 0;
        frameStart = -1;
    }

    /** The bytes written so far, without copying; valid until the next write. */
    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(buf, 0, pos);
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    /**
     * The bytes written, for a writer that is done: a writer sized exactly hands over its buffer instead of a copy
     * (with {@link #utf8Length} an encoder can size it so). The writer cannot be used afterwards.
     */
    public byte[] finish() {
        byte[] out = pos == buf.length ? buf : Arrays.copyOf(buf, pos);
        buf = null;
        return out;
    }

    /** The encoded size of {@code s} as {@link #writeString} writes it, length prefix included. */
    public static int stringSize(String s) {
        return 4 + (s == null ? 0 : utf8Length(s));
    }

    /** The encoded size of {@code b} as {@link #writeBuffer} writes it, length prefix included. */
    public static int bufferSize(byte[] b) {
        return 4 + (b == null ? 0 : b.length);
    }

    /** The encoded size of {@code acls} as {@link #writeAclList} writes them. */
    public static int aclListSize(List<Acl> acls) {
        int n = 4;
        if (acls != null) {
            for (Acl a : acls) {
                n += 4 + stringSize(a.id().scheme()) + stringSize(a.id().id());
            }
        }
        return n;
    }

    /** How many bytes {@code s.getBytes(UTF_8)} gives, without encoding it (an unpaired surrogate becomes '?'). */
    public static int utf8Length(String s) {
        int n = 0;
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n += 1;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
