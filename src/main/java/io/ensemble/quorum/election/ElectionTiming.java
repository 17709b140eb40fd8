package io.ensemble.quorum.election;

/**
 * Election delays, in election ticks. The state machine only counts ticks; the driver fires one every
 * {@link #tickMillis()}.
 *
 * @param tickMillis          length of one election tick; finer than tickTime because ZooKeeper's 200 ms settle
 *                            wait is a tenth of its usual tickTime
 * @param finalizeWaitTicks   ticks without a better vote, after a quorum agrees, before deciding (0 decides at once)
 * @param resendInitialTicks  ticks without any notification before resending our vote
 * @param resendMaxTicks      cap of the resend interval, which doubles while nothing arrives
 */
public record ElectionTiming(long tickMillis, int finalizeWaitTicks, int resendInitialTicks, int resendMaxTicks) {

    public ElectionTiming {
        if (tickMillis <= 0 || finalizeWaitTicks < 0 || resendInitialTicks <= 0
                || resendMaxTicks < resendInitialTicks) {
            throw new IllegalArgumentException("bad election timing: tickMillis=" + tickMillis + " finalizeWait="
                    + finalizeWaitTicks + " resend=" + resendInitialTicks + ".." + resendMaxTicks);
        }
    }

    /** A tenth of tickTime per election tick; settle for two of them; resend from two up to fifty (5 x tickTime). */
    public static ElectionTiming forTickTime(int tickTime) {
        return new ElectionTiming(Math.max(1, tickTime / 10), 2, 2, 50);
    }
}
