package io.ensemble.wire;

/** The 68-byte Stat record, in wire order. */
public record Stat(long czxid, long mzxid, long ctime, long mtime, int version, int cversion, int aversion,
                   long ephemeralOwner, int dataLength, int numChildren, long pzxid) {

    public static Stat read(JuteReader r) {
        return new Stat(r.readLong(), r.readLong(), r.readLong(), r.readLong(), r.readInt(), r.readInt(),
                r.readInt(), r.readLong(), r.readInt(), r.readInt(), r.readLong());
    }
}
