package io.ensemble.admin;

/**
 * The CDI event every role change fires: health checks, metrics and admin commands keep their view of the server
 * current from it instead of polling. {@link ServerStatePublisher} fires it when a standalone server starts and
 * stops, and on each state change of a server of an ensemble (LOOKING / LEADING / FOLLOWING / OBSERVING, and when
 * it starts or stops serving).
 *
 * @param role            {@link #STANDALONE}, {@link #LEADER}, {@link #FOLLOWER}, {@link #OBSERVER} or {@link #LOOKING}
 * @param serving         whether this server answers clients: standalone and running, or a synced quorum member
 * @param zxid            the last zxid when the event was fired
 * @param epoch           the accepted epoch (the high 32 bits of zxids this role produces)
 * @param leaderId        the leader's server id; -1 standalone or while looking
 * @param syncedFollowers followers synced with this leader (0 unless leading)
 */
public record ServerStateChanged(String role, boolean serving, long zxid, long epoch, long leaderId,
                                 int syncedFollowers) {
    public static final String STANDALONE = "standalone";
    public static final String LEADER = "leader";
    public static final String FOLLOWER = "follower";
    public static final String OBSERVER = "observer";
    public static final String LOOKING = "looking";

    /** A standalone server that is running (serving) or has stopped. */
    public static ServerStateChanged standalone(boolean serving, long zxid) {
        return new ServerStateChanged(STANDALONE, serving, zxid, zxid >>> 32, -1, 0);
    }

    public boolean isLeader() {
        return LEADER.equals(role);
    }
}
