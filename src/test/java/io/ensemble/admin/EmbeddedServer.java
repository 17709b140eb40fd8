package io.ensemble.admin;

import io.ensemble.config.ServerConfig;
import io.ensemble.server.EnsembleServer;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * For @HelidonTest: replaces io.ensemble.RunningServer's producer (which insists that Main started the server)
 * with a server on a free client port and a fresh temporary data directory, closed with the container.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class EmbeddedServer {
    @Produces
    @Singleton
    EnsembleServer server() {
        try {
            Path dataDir = Files.createTempDirectory("ensemble-admin-test");
            EnsembleServer server = new EnsembleServer(ServerConfig.builder()
                    .clientPort(0)
                    .clientPortAddress("127.0.0.1")
                    .tickTime(200)
                    .dataDir(dataDir)
                    .fourLetterWords(Set.of("*"))
                    .adminEnableServer(false)
                    .adminServerPort(0)
                    .build());
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void close(@Disposes EnsembleServer server) {
        server.close();
        try (var files = Files.walk(server.config().dataDir())) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind
        }
    }
}
