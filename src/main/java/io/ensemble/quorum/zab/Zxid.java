package io.ensemble.quorum.zab;

/** A zxid is {@code epoch << 32 | counter}: the high half names the leader's epoch, the low half orders its writes. */
public final class Zxid {

    private Zxid() {
    }

    public static long of(long epoch, long counter) {
        return (epoch << 32) | (counter & 0xffffffffL);
    }

    public static long epoch(long zxid) {
        return zxid >>> 32;
    }

    public static long counter(long zxid) {
        return zxid & 0xffffffffL;
    }

    /** As ZooKeeper logs it, {@code 0x<hex>}; the short form {@code e.c} is easier to read in transcripts. */
    public static String format(long zxid) {
        return epoch(zxid) + "." + counter(zxid);
    }
}
