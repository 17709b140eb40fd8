package io.ensemble.config;

import org.eclipse.microprofile.config.ConfigValue;

import java.util.Map;

/**
 * Where a value came from, in words an operator can act on: "zoo.cfg /etc/zk/zoo.cfg", "system property
 * zookeeper.snapCount", "env var TICKTIME". MicroProfile only gives a source's name; for the system-property and env
 * sources the exact property or variable name is worked out here.
 */
final class ConfigOrigin {
    static final String DEFAULT = "default";
    // Names of Helidon's built-in sources (MpSystemPropertiesSource, MpEnvironmentVariablesSource).
    private static final String HELIDON_SYSTEM_PROPERTIES = "System Properties";
    private static final String HELIDON_ENV = "Environment Variables";

    private ConfigOrigin() {
    }

    static String of(String key, ConfigValue value) {
        return of(key, value.getSourceName(), System.getenv());
    }

    static String of(String key, String sourceName, Map<String, String> env) {
        if (sourceName == null) {
            return DEFAULT;
        }
        return switch (sourceName) {
            case HELIDON_SYSTEM_PROPERTIES -> "system property " + key;
            case ZooKeeperSystemPropertiesConfigSource.NAME ->
                    "system property " + ZooKeeperSystemPropertiesConfigSource.propertyName(key);
            case HELIDON_ENV -> "env var " + helidonEnvName(key, env);
            case LeadingDigitEnvConfigSource.NAME -> "env var " + LeadingDigitEnvConfigSource.envName(key);
            default -> sourceName;
        };
    }

    // Helidon tries the key as is, then with non-alphanumerics replaced by '_', then that upper-cased.
    private static String helidonEnvName(String key, Map<String, String> env) {
        String replaced = key.replaceAll("[^a-zA-Z0-9_]", "_");
        for (String candidate : new String[] {key, replaced}) {
            if (env.containsKey(candidate)) {
                return candidate;
            }
        }
        return LeadingDigitEnvConfigSource.mpEnvName(key);
    }
}
