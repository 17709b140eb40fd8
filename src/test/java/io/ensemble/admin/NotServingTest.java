package io.ensemble.admin;

import io.ensemble.server.EnsembleServer;
import io.helidon.microprofile.testing.AddBean;
import io.helidon.microprofile.testing.AddConfig;
import io.helidon.microprofile.testing.junit5.HelidonTest;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Closing the server takes readiness and the admin commands to 503; a serving event brings readiness back. */
@HelidonTest
@AddBean(EmbeddedServer.class)
// random HTTP port on loopback, set per class: a classpath test microprofile-config.properties at ordinal 1000
// would also override server.port for the config tests that read the default sources
@AddConfig(key = "server.port", value = "-1")
@AddConfig(key = "server.host", value = "127.0.0.1")
@Timeout(120)
class NotServingTest {
    @Inject
    EnsembleServer server;

    @Inject
    Event<ServerStateChanged> events;

    @Test
    void closingTheServerMakesReadyDownAndCommands503() {
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.get("/health/ready").status() == 200);
        assertThat(Http.get("/commands/ruok").status()).isEqualTo(200);

        server.close();

        Http.Reply ready = Http.get("/health/ready");
        assertThat(ready.status()).as("the stop event arrives before close returns").isEqualTo(503);
        assertThat(ready.json().getString("status")).isEqualTo("DOWN");
        assertThat(Http.get("/health/started").status()).isEqualTo(200);
        Http.Reply ruok = Http.get("/commands/ruok");
        assertThat(ruok.status()).isEqualTo(503);
        assertThat(ruok.json().getString("error")).isEqualTo(AdminCommands.NOT_SERVING);
        assertThat(Http.get("/commands/mntr").status()).isEqualTo(503);
        Http.Reply env = Http.get("/commands/environment");
        assertThat(env.status()).isEqualTo(503);
        assertThat(env.json().containsKey("java.version")).as("commands that need no server still answer")
                .isTrue();

        // what the quorum peer will do on UPTODATE: the event alone brings readiness back
        events.fire(new ServerStateChanged(ServerStateChanged.FOLLOWER, true, 0x100000000L, 1, 2, 0));
        Http.Reply again = Http.get("/health/ready");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().getJsonArray("checks").getJsonObject(0).getJsonObject("data").getString("role"))
                .isEqualTo("follower");
    }
}
