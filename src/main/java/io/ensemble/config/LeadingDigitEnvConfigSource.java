package io.ensemble.config;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Env vars for keys that start with a digit, such as {@code 4lw.commands.whitelist}. MicroProfile Config (and
 * Helidon's env source) map a key to an env name by replacing every non-alphanumeric character with {@code _} and
 * upper-casing: {@code 4LW_COMMANDS_WHITELIST}. POSIX shells and older Kubernetes reject names that start with a
 * digit, so this source also accepts the same name with a leading underscore: {@code _4LW_COMMANDS_WHITELIST}.
 * Ordinal 300, like env vars. Set one form or the other, not both.
 */
public final class LeadingDigitEnvConfigSource implements ConfigSource {
    public static final int ORDINAL = 300;
    public static final String NAME = "Environment Variables (leading-digit keys)";
    private static final Pattern NOT_ALLOWED = Pattern.compile("[^a-zA-Z0-9_]");

    private final Map<String, String> env;

    public LeadingDigitEnvConfigSource() {
        this(System.getenv());
    }

    LeadingDigitEnvConfigSource(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** MicroProfile's env var name for a key: non-alphanumerics to '_', upper case ({@code tickTime} → TICKTIME). */
    public static String mpEnvName(String key) {
        return NOT_ALLOWED.matcher(key).replaceAll("_").toUpperCase(Locale.ROOT);
    }

    /** The underscore-prefixed name this source reads for a key, or null when the key does not start with a digit. */
    public static String envName(String key) {
        return !key.isEmpty() && Character.isDigit(key.charAt(0)) ? "_" + mpEnvName(key) : null;
    }

    @Override
    public String getValue(String key) {
        String name = envName(key);
        return name == null ? null : env.get(name);
    }

    /** Env names cannot be mapped back to keys unambiguously ('_' may have been '.'), so nothing is listed. */
    @Override
    public Map<String, String> getProperties() {
        return Map.of();
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of();
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
