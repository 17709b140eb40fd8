package io.ensemble.admin;

import io.ensemble.server.QuorumFacts;
import io.ensemble.server.ServerCounts;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The liveness signal, driven tick by tick with a fake clock and a pipeline whose answers the test releases. */
class PipelineHeartbeatTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final AtomicBoolean serving = new AtomicBoolean(true);
    private final List<CompletableFuture<ServerCounts>> pings = new ArrayList<>();
    private final PipelineHeartbeat heartbeat = new PipelineHeartbeat(this::ping, serving::get, now::get, 500);

    private CompletableFuture<ServerCounts> ping() {
        CompletableFuture<ServerCounts> f = new CompletableFuture<>();
        pings.add(f);
        return f;
    }

    private static ServerCounts counts(long zxid) {
        return new ServerCounts(zxid, 5, 0, 0, 42, 0, QuorumFacts.standalone());
    }

    @Test
    void answeredPingsKeepItResponsiveAndCarryTheCounts() {
        heartbeat.beat();
        now.addAndGet(400);
        pings.get(0).complete(counts(7));
        now.addAndGet(400);
        assertThat(heartbeat.responsive()).isTrue();
        assertThat(heartbeat.silenceMillis()).isEqualTo(400);
        assertThat(heartbeat.counts().lastZxid()).isEqualTo(7);
    }

    @Test
    void aStuckPipelineGoesDownAfterTheBoundAndUpWhenItAnswers() {
        heartbeat.beat();
        now.addAndGet(500);
        assertThat(heartbeat.responsive()).as("at the bound").isTrue();
        heartbeat.beat();
        assertThat(pings).as("one ping in flight at most").hasSize(1);
        now.addAndGet(1);
        assertThat(heartbeat.responsive()).as("past the bound").isFalse();

        pings.get(0).complete(counts(1));
        assertThat(heartbeat.responsive()).isTrue();
        heartbeat.beat();
        assertThat(pings).as("the next ping goes once the last one answered").hasSize(2);
    }

    @Test
    void aStoppedServerIsNotPingedAndGoesDown() {
        serving.set(false);
        heartbeat.beat();
        assertThat(pings).isEmpty();
        now.addAndGet(501);
        assertThat(heartbeat.responsive()).isFalse();
    }
}
