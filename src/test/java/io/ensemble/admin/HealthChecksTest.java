package io.ensemble.admin;

import io.ensemble.config.ServerConfig;
import io.ensemble.server.EnsembleServer;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The checks read only the state the events keep: each goes DOWN and UP with the events alone. */
class HealthChecksTest {
    @TempDir
    Path dataDir;

    @Test
    void startedAndReadyFollowTheStateEvents() {
        // a server that was never started: the checks must not touch it
        EnsembleServer server = new EnsembleServer(ServerConfig.builder().dataDir(dataDir).clientPort(0).build());
        ServerState state = new ServerState();
        Heartbeat heartbeat = new Heartbeat(server, 1000, 10_000);
        StartedCheck started = new StartedCheck(state, heartbeat);
        ReadyCheck ready = new ReadyCheck(state, heartbeat);

        assertThat(started.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(ready.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(ready.call().getData().orElseThrow()).containsEntry("role", "starting");

        state.changed(ServerStateChanged.standalone(true, 0x1_0000_0005L));
        assertThat(started.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        HealthCheckResponse up = ready.call();
        assertThat(up.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(up.getData().orElseThrow()).containsEntry("role", "standalone").containsEntry("zxid", "0x100000005")
                .containsEntry("epoch", 1L).containsEntry("leader_id", -1L).containsEntry("synced_followers", 0L);

        state.changed(ServerStateChanged.standalone(false, 0x1_0000_0005L));
        assertThat(ready.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(started.call().getStatus()).as("started stays up").isEqualTo(HealthCheckResponse.Status.UP);

        // how the quorum will drive it: a follower that synced with leader 3
        state.changed(new ServerStateChanged(ServerStateChanged.FOLLOWER, true, 0x2_0000_0000L, 2, 3, 0));
        HealthCheckResponse follower = ready.call();
        assertThat(follower.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(follower.getData().orElseThrow()).containsEntry("role", "follower").containsEntry("leader_id", 3L);
    }
}
