package io.ensemble.compat;

import io.ensemble.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Behaviour that depends on non-default server settings: maxClientCnxns, session timeout bounds and the
 * four-letter-word whitelist (protocol sections 2.2, 9.1, 10.2). One server per test.
 */
@Timeout(180)
class ServerConfigCompatTest {
    @TempDir
    Path dataDir;

    private TestServer server;

    private TestServer start(Consumer<ServerConfig.Builder> customizer) throws IOException {
        server = TestServer.start(dataDir, customizer);
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void connectionsOverThePerAddressLimitAreClosed() throws Exception {
        start(b -> b.maxClientCnxns(3));
        List<RawZkConnection> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(RawZkConnection.connectNew(server.port(), 4000));
            }
            assertThatThrownBy(() -> RawZkConnection.connectNew(server.port(), 4000).close())
                    .as("fourth connection from 127.0.0.1").isInstanceOf(IOException.class);

            open.remove(0).close();
            // once the server noticed the closed connection a new one is accepted again
            await().atMost(TestServer.TIMEOUT).ignoreExceptions().until(() -> {
                RawZkConnection c = RawZkConnection.connectNew(server.port(), 4000);
                open.add(c);
                return c.connectResponse().getTimeOut() == 4000;
            });
        } finally {
            for (RawZkConnection c : open) {
                c.close();
            }
        }
    }

    @Test
    void configuredSessionTimeoutBoundsOverrideTheTickDefaults() throws Exception {
        start(b -> b.minSessionTimeout(1000).maxSessionTimeout(2500));
        int[][] cases = {{1, 1000}, {1500, 1500}, {100_000, 2500}};
        for (int[] c : cases) {
            try (RawZkConnection raw = RawZkConnection.connectNew(server.port(), c[0])) {
                assertThat(raw.connectResponse().getTimeOut()).as("request %d", c[0]).isEqualTo(c[1]);
                raw.closeSession();
            }
        }
    }

    @Test
    void fourLetterWordsOutsideTheWhitelistAreRefusedWithTheZooKeeperMessage() throws Exception {
        start(b -> b.fourLetterWords(Set.of("srvr")));
        assertThat(fourLetterWord("ruok")).isEqualTo("ruok is not executed because it is not in the whitelist.\n");
        assertThat(fourLetterWord("mntr")).isEqualTo("mntr is not executed because it is not in the whitelist.\n");
        assertThat(fourLetterWord("srvr")).contains("Mode: " + server.mode());
        // after the handshake the same bytes are just a frame length: a normal session still works
        try (RawZkConnection raw = RawZkConnection.connectNew(server.port(), 4000)) {
            assertThat(raw.connectResponse().getTimeOut()).isEqualTo(4000);
            raw.closeSession();
        }
    }

    private String fourLetterWord(String word) throws IOException {
        try (Socket s = RawZkConnection.openSocket(server.port())) {
            s.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
