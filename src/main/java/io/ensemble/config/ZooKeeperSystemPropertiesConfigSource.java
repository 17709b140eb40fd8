package io.ensemble.config;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Serves ZooKeeper's own Java system property names under their zoo.cfg keys, so scripts and test harnesses written
 * for Apache ZooKeeper work unchanged. Ordinal 400, like plain system properties.
 *
 * <ul>
 *   <li>{@code zookeeper.DigestAuthenticationProvider.superDigest} → {@code superDigest}</li>
 *   <li>otherwise {@code zookeeper.X} → {@code X}, e.g. {@code zookeeper.snapCount} → {@code snapCount},
 *       {@code zookeeper.4lw.commands.whitelist} → {@code 4lw.commands.whitelist},
 *       {@code zookeeper.admin.serverPort} → {@code admin.serverPort}</li>
 * </ul>
 * Properties ZooKeeper already names like the key ({@code jute.maxbuffer}, {@code znode.container.*}) need no alias:
 * the standard system-property source serves them. When both {@code X} and {@code zookeeper.X} are set, the plain
 * {@code X} wins (this source steps aside) so the result never depends on how equal ordinals are ordered.
 * System properties are read live, as the standard source does.
 */
public final class ZooKeeperSystemPropertiesConfigSource implements ConfigSource {
    public static final int ORDINAL = 400;
    public static final String NAME = "ZooKeeper system properties";
    static final String PREFIX = "zookeeper.";
    static final String SUPER_DIGEST_PROPERTY = "zookeeper.DigestAuthenticationProvider.superDigest";
    static final String SUPER_DIGEST_KEY = "superDigest";

    private final Properties properties;

    public ZooKeeperSystemPropertiesConfigSource() {
        this(System.getProperties());
    }

    ZooKeeperSystemPropertiesConfigSource(Properties properties) {
        this.properties = properties;
    }

    /** The ZooKeeper system property that stands for a zoo.cfg key. */
    public static String propertyName(String key) {
        return SUPER_DIGEST_KEY.equals(key) ? SUPER_DIGEST_PROPERTY : PREFIX + key;
    }

    @Override
    public String getValue(String key) {
        if (properties.getProperty(key) != null) {
            return null;
        }
        return properties.getProperty(propertyName(key));
    }

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> mapped = new HashMap<>();
        for (String name : properties.stringPropertyNames()) {
            String key = keyFor(name);
            if (key != null && properties.getProperty(key) == null) {
                mapped.put(key, properties.getProperty(name));
            }
        }
        return mapped;
    }

    @Override
    public Set<String> getPropertyNames() {
        return getProperties().keySet();
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }

    private static String keyFor(String propertyName) {
        if (SUPER_DIGEST_PROPERTY.equals(propertyName)) {
            return SUPER_DIGEST_KEY;
        }
        if (propertyName.startsWith(PREFIX) && propertyName.length() > PREFIX.length()) {
            return propertyName.substring(PREFIX.length());
        }
        return null;
    }
}
