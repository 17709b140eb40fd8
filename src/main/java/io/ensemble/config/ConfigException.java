package io.ensemble.config;

/**
 * A configuration problem that must stop start-up. The message is a single line meant for the operator (name the key,
 * the value, where it came from and what is expected), so callers print {@link #getMessage()} and exit instead of
 * showing a stack trace.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(oneLine(message));
    }

    /** {@code Invalid configuration: key='value' (from origin) - expected ...}. */
    static ConfigException invalid(String key, String value, String origin, String expected) {
        return new ConfigException("Invalid configuration: " + key + "='" + value + "' (from " + origin
                + ") - expected " + expected);
    }

    // A value taken from an env var may hold line breaks; keep the promise of one line.
    private static String oneLine(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
