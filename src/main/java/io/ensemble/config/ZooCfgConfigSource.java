package io.ensemble.config;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * A ZooKeeper {@code zoo.cfg} as a MicroProfile ConfigSource (ordinal 150: above
 * META-INF/microprofile-config.properties, below env vars and system properties).
 *
 * <p>The file is named by the system property {@code zookeeper.config}, else the env var {@code ZOO_CFG}; with neither
 * the source is empty. It is read like ZooKeeper reads it (java.util.Properties: {@code key=value}, {@code #} and
 * {@code !} comments, backslash escapes), then keys and values are trimmed so a stray trailing space is harmless.
 *
 * <p>A file that was named but cannot be read does not throw here: ServiceLoader would wrap it in a stack trace. The
 * source stays empty and records the reason; {@link ServerConfigLoader#load} turns it into a one-line
 * {@link ConfigException}.
 */
public final class ZooCfgConfigSource implements ConfigSource {
    public static final int ORDINAL = 150;
    public static final String PATH_PROPERTY = "zookeeper.config";
    public static final String PATH_ENV = "ZOO_CFG";

    private final Path file;
    private final Map<String, String> values;
    private final String failure;

    /** Discovered through ServiceLoader: reads the file named by -Dzookeeper.config or $ZOO_CFG, if any. */
    public ZooCfgConfigSource() {
        this(System::getProperty, System::getenv);
    }

    ZooCfgConfigSource(UnaryOperator<String> systemProperties, UnaryOperator<String> env) {
        this(locate(systemProperties, env));
    }

    private ZooCfgConfigSource(Located located) {
        this.file = located == null ? null : located.file();
        Map<String, String> read = Map.of();
        String problem = null;
        if (located != null) {
            try {
                read = read(located.file());
            } catch (IOException | IllegalArgumentException e) {
                problem = "Invalid configuration: cannot read zoo.cfg '" + located.file() + "' (named by "
                        + located.namedBy() + ") - " + reason(located.file(), e);
            }
        }
        this.values = read;
        this.failure = problem;
    }

    /** A source for an explicit file (tests, or a path given on the command line). */
    public static ZooCfgConfigSource of(Path file) {
        return new ZooCfgConfigSource(new Located(file, "the caller"));
    }

    /** The file this source was asked to read, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The one-line reason the named file could not be read; empty when it was read or none was named. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public Map<String, String> getProperties() {
        return values;
    }

    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public String getValue(String key) {
        return values.get(key);
    }

    /** "zoo.cfg /abs/path" - shows up in error messages as the value's origin. */
    @Override
    public String getName() {
        return file == null ? "zoo.cfg (none)" : "zoo.cfg " + file.toAbsolutePath();
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }

    private record Located(Path file, String namedBy) {
    }

    private static Located locate(UnaryOperator<String> systemProperties, UnaryOperator<String> env) {
        String fromProperty = systemProperties.apply(PATH_PROPERTY);
        if (fromProperty != null && !fromProperty.isBlank()) {
            return new Located(Path.of(fromProperty.trim()), "system property " + PATH_PROPERTY);
        }
        String fromEnv = env.apply(PATH_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new Located(Path.of(fromEnv.trim()), "env var " + PATH_ENV);
        }
        return null;
    }

    private static Map<String, String> read(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        Map<String, String> trimmed = new TreeMap<>();
        properties.forEach((k, v) -> trimmed.put(k.toString().trim(), v.toString().trim()));
        return Collections.unmodifiableMap(trimmed);
    }

    private static String reason(Path file, Exception e) {
        if (e instanceof NoSuchFileException) {
            return "file not found";
        }
        if (Files.isDirectory(file)) {
            return "it is a directory, expected a file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof IllegalArgumentException) {
            return "malformed content (" + e.getMessage() + ")";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
