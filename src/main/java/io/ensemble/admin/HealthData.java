package io.ensemble.admin;

import io.ensemble.server.ServerCounts;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/** The data every Ensemble health check carries: role, zxid, epoch, leader id, synced followers. */
final class HealthData {
    private HealthData() {
    }

    static HealthCheckResponseBuilder add(HealthCheckResponseBuilder b, ServerStateChanged state, ServerCounts counts) {
        if (state == null) {
            return b.withData("role", "starting");
        }
        long zxid = counts != null && state.serving() ? Math.max(counts.lastZxid(), state.zxid()) : state.zxid();
        return b.withData("role", state.role())
                .withData("serving", state.serving())
                .withData("zxid", "0x" + Long.toHexString(zxid))
                .withData("epoch", state.epoch())
                .withData("leader_id", state.leaderId())
                .withData("synced_followers", state.syncedFollowers());
    }
}
