package io.ensemble.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Resolves this server's id. An explicit {@code serverId} key wins; a standalone server (no server.N lines) is 0;
 * otherwise {@code dataDir/myid} is read as ZooKeeper does. The id becomes the top byte of session ids, hence 1-255
 * (1-254 with extendedTypesEnabled, where ZooKeeper reserves 255). In an ensemble the id comes from, in order: the
 * serverId or myid key (env MYID, or ZOO_MY_ID as in the official image), the myid file, the StatefulSet ordinal
 * of the host name.
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
        Optional<ConfigReader.Found> named = in.find("myid").or(() -> in.find("ZOO_MY_ID"));
        if (named.isPresent()) {
            ConfigReader.Found f = new ConfigReader.Found(KEY, named.get().value(), named.get().origin());
            return in.parse(f, Values.longIn(1, max), "an integer 1-" + max + idHint(extendedTypes));
        }
        Path file = dataDir.resolve("myid");
        if (!quorum) {
            in.record(KEY, "0", "default (standalone)");
            return 0;
        }
        if (!Files.isRegularFile(file)) {
            return fromHostName(in, max, file);
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

    /** A StatefulSet pod {@code <name>-<n>} is server n + 1. */
    private static long fromHostName(ConfigReader in, long max, Path file) {
        String host = Hostnames.hostName().orElse("");
        Optional<Integer> ordinal = Hostnames.ordinal(host);
        if (ordinal.isEmpty() || ordinal.get() + 1 > max) {
            throw new ConfigException("Invalid configuration: this server's id is unknown - write it to "
                    + file.toAbsolutePath() + ", set myid (env MYID or ZOO_MY_ID), or run in a StatefulSet pod "
                    + "named <name>-<ordinal> (host name here: '" + host + "')");
        }
        long id = ordinal.get() + 1L;
        in.record(KEY, String.valueOf(id), "host name " + host + " (StatefulSet ordinal " + ordinal.get() + " + 1)");
        return id;
    }

    private static String idHint(boolean extendedTypes) {
        return extendedTypes ? " (255 is reserved when extendedTypesEnabled=true)" : "";
    }
}
