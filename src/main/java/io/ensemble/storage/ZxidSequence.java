package io.ensemble.storage;

/**
 * Which zxid may follow which in a log. Zxids are {@code epoch << 32 | counter}; a new leader's epoch starts its
 * counter at 1, so the successor of p is p + 1 or the first zxid of any later epoch (the epochs in between had no
 * writes, or none that reached this server before it synced).
 */
final class ZxidSequence {
    private ZxidSequence() {
    }

    static boolean follows(long prev, long next) {
        return next == prev + 1 || (epoch(next) > epoch(prev) && counter(next) == 1);
    }

    static long epoch(long zxid) {
        return zxid >>> 32;
    }

    static long counter(long zxid) {
        return zxid & 0xffffffffL;
    }

    static String hex(long zxid) {
        return "0x" + Long.toHexString(zxid);
    }
}
