package io.ensemble.quorum.zab;

import io.ensemble.txn.LoggedTxn;

import java.util.List;

/**
 * What a server brings from disk into a new ZAB core.
 *
 * @param acceptedEpoch the last epoch it acknowledged in a LEADERINFO (ZooKeeper's acceptedEpoch file)
 * @param currentEpoch  the last epoch it synced with via NEWLEADER (ZooKeeper's currentEpoch file)
 * @param baseZxid      the zxid just before {@code recent}: the snapshot's, or the last zxid when recent is empty
 * @param recent        the tail of the local log in zxid order (a leader serves DIFFs from it; at most
 *                      commitLogCount entries are kept). Contract: the driver's tree already holds every one of
 *                      them, as ZooKeeper fast-forwards its database before each role.
 */
public record PersistedState(long acceptedEpoch, long currentEpoch, long baseZxid, List<LoggedTxn> recent) {

    public PersistedState {
        recent = List.copyOf(recent);
        if (currentEpoch > acceptedEpoch) {
            throw new IllegalArgumentException("currentEpoch " + currentEpoch + " > acceptedEpoch " + acceptedEpoch);
        }
    }

    public long lastZxid() {
        return recent.isEmpty() ? baseZxid : recent.getLast().zxid();
    }
}
