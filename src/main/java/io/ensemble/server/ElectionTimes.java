package io.ensemble.server;

/**
 * ZooKeeper's {@code election_time} summary: how long this server's leader elections took, in milliseconds, each
 * from entering LOOKING to the decision (ZooKeeper measures the same span). Immutable; the peer swaps in a new value
 * after each election.
 *
 * @param count      elections since start
 * @param sumMillis  their total duration
 * @param minMillis  the shortest (0 before the first)
 * @param maxMillis  the longest
 * @param lastMillis the last one (0 before the first)
 */
public record ElectionTimes(long count, long sumMillis, long minMillis, long maxMillis, long lastMillis) {
    public static final ElectionTimes NONE = new ElectionTimes(0, 0, 0, 0, 0);

    /** These times plus one election that took {@code millis}. */
    public ElectionTimes plus(long millis) {
        return new ElectionTimes(count + 1, sumMillis + millis, count == 0 ? millis : Math.min(minMillis, millis),
                Math.max(maxMillis, millis), millis);
    }

    public double avgMillis() {
        return count == 0 ? 0 : (double) sumMillis / count;
    }
}
