package io.ensemble.config;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Map;
import java.util.Set;

/**
 * Stands in for Helidon's env var source (same name, ordinal and lookup rule: exact key, non-alphanumerics to '_',
 * then upper case) so tests need not change the process environment. {@link EnvVarOverrideTest} checks the real one.
 */
record FakeEnvSource(Map<String, String> env) implements ConfigSource {

    @Override
    public String getValue(String key) {
        String replaced = key.replaceAll("[^a-zA-Z0-9_]", "_");
        for (String name : new String[] {key, replaced, replaced.toUpperCase()}) {
            if (env.containsKey(name)) {
                return env.get(name);
            }
        }
        return null;
    }

    @Override
    public Map<String, String> getProperties() {
        return env;
    }

    @Override
    public Set<String> getPropertyNames() {
        return env.keySet();
    }

    @Override
    public String getName() {
        return "Environment Variables";
    }

    @Override
    public int getOrdinal() {
        return 300;
    }
}
