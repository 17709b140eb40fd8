package io.ensemble.config;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads typed values from MicroProfile Config and remembers, for each key read, the effective value and where it came
 * from (a source or "default"). A bad value becomes a one-line {@link ConfigException} naming key, value and origin.
 */
final class ConfigReader {
    private final Config config;
    private final Map<String, Entry> entries = new TreeMap<>();

    /** A value as found: trimmed, never blank. */
    record Found(String key, String value, String origin) {
    }

    private record Entry(String value, String origin) {
    }

    ConfigReader(Config config) {
        this.config = config;
    }

    /** The trimmed value of a key and its origin; empty when unset or blank (blank means "use the default"). */
    Optional<Found> find(String key) {
        ConfigValue v;
        try {
            v = config.getConfigValue(key);
        } catch (RuntimeException e) {
            // e.g. a ${reference} Helidon cannot resolve
            throw new ConfigException("Invalid configuration: " + key + " could not be resolved - " + e.getMessage());
        }
        String raw = v == null ? null : v.getValue();
        if (raw == null || raw.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new Found(key, raw.trim(), ConfigOrigin.of(key, v)));
    }

    /** The parsed value of a key, or {@code def} (recorded as a default unless null) when unset. */
    <T> T value(String key, T def, Values.Parser<T> parser, String expected) {
        return value(key, def, def == null ? null : String.valueOf(def), parser, expected);
    }

    /** As above, with the default spelled as the operator would write it (e.g. forceSync "yes", not "true"). */
    <T> T value(String key, T def, String defText, Values.Parser<T> parser, String expected) {
        Optional<Found> found = find(key);
        if (found.isPresent()) {
            return parse(found.get(), parser, expected);
        }
        if (defText != null) {
            record(key, defText, ConfigOrigin.DEFAULT);
        }
        return def;
    }

    <T> T parse(Found found, Values.Parser<T> parser, String expected) {
        T parsed;
        try {
            parsed = parser.parse(found.value());
        } catch (RuntimeException e) {
            parsed = null;
        }
        if (parsed == null) {
            throw invalid(found, expected);
        }
        record(found.key(), found.value(), found.origin());
        return parsed;
    }

    /** Keeps a value that is not interpreted yet (e.g. server.N); blank values are skipped. */
    void keep(String key) {
        find(key).ifPresent(f -> record(f.key(), f.value(), f.origin()));
    }

    void record(String key, String value, String origin) {
        entries.put(key, new Entry(value, origin));
    }

    /** Replaces the recorded value (not the origin) of a key, e.g. to mask a secret. */
    void replaceValue(String key, String value) {
        entries.computeIfPresent(key, (k, e) -> new Entry(value, e.origin()));
    }

    ConfigException invalid(Found found, String expected) {
        return ConfigException.invalid(found.key(), found.value(), found.origin(), expected);
    }

    Map<String, String> effective() {
        Map<String, String> values = new LinkedHashMap<>();
        entries.forEach((k, e) -> values.put(k, e.value()));
        return values;
    }

    /** One "key=value (origin)" line per key, sorted by key. */
    List<String> describe() {
        List<String> lines = new ArrayList<>();
        entries.forEach((k, e) -> lines.add(k + "=" + e.value() + " (" + e.origin() + ")"));
        return lines;
    }
}
