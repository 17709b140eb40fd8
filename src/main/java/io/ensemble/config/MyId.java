package io.ensemble.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Resolves this server's id. An explicit {@code serverId} key wins; a standalone server (no server.N lines) is 0;
 * otherwise {@code dataDir/myid} is read as ZooKeeper does. The id becomes the top byte of session ids, hence 1-255
 * (1-254 with extendedTypesEnabled, where ZooKeeper reserves 255). Env/StatefulSet-ordinal resolution comes later.
 */
final class MyId {
    static final String KEY = "serverId";

    private MyId() {
    }

    static long resolve(ConfigReader in, Path dataDir, boolean quorum, boolean extendedTypes) {
        long max = extendedTypes ? 254 : 255;
        Optional<ConfigReader.Found> explicit = in.find(KEY);
        if (explicit.isPresent()) {
            return in.parse(explicit.get(), Values.longIn(0, max), "an integer 0-" + max + idHint(extendedTypes));
        }
        Path file = dataDir.resolve("myid");
        if (!quorum || !Files.isRegularFile(file)) {
            in.record(KEY, "0", quorum ? "default (no myid file)" : "default (standalone)");
            return 0;
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new ConfigException("Invalid configuration: cannot read myid file '" + file.toAbsolutePath()
                    + "' - " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        ConfigReader.Found found = new ConfigReader.Found(KEY, text, "myid file " + file.toAbsolutePath());
        return in.parse(found, Values.longIn(1, max), "an integer 1-" + max + idHint(extendedTypes));
    }

    private static String idHint(boolean extendedTypes) {
        return extendedTypes ? " (255 is reserved when extendedTypesEnabled=true)" : "";
    }
}
