package io.ensemble.config;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class ZooKeeperSystemPropertiesConfigSourceTest {

    @Test
    void mapsZooKeeperPropertyNamesToZooCfgKeys() {
        Properties props = new Properties();
        props.setProperty("zookeeper.DigestAuthenticationProvider.superDigest", "super:abc=");
        props.setProperty("zookeeper.extendedTypesEnabled", "true");
        props.setProperty("zookeeper.4lw.commands.whitelist", "*");
        props.setProperty("zookeeper.admin.serverPort", "9090");
        props.setProperty("zookeeper.snapCount", "500");
        props.setProperty("java.version", "21");

        var source = new ZooKeeperSystemPropertiesConfigSource(props);

        assertThat(source.getValue("superDigest")).isEqualTo("super:abc=");
        assertThat(source.getValue("extendedTypesEnabled")).isEqualTo("true");
        assertThat(source.getValue("4lw.commands.whitelist")).isEqualTo("*");
        assertThat(source.getValue("admin.serverPort")).isEqualTo("9090");
        assertThat(source.getValue("snapCount")).isEqualTo("500");
        assertThat(source.getValue("java.version")).isNull();
        assertThat(source.getProperties()).containsExactlyInAnyOrderEntriesOf(Map.of("superDigest", "super:abc=",
                "extendedTypesEnabled", "true", "4lw.commands.whitelist", "*", "admin.serverPort", "9090",
                "snapCount", "500"));
        assertThat(source.getOrdinal()).isEqualTo(400);
    }

    @Test
    void plainPropertyOfTheSameKeyWins() {
        Properties props = new Properties();
        props.setProperty("zookeeper.snapCount", "500");
        props.setProperty("snapCount", "700");

        var source = new ZooKeeperSystemPropertiesConfigSource(props);

        assertThat(source.getValue("snapCount")).isNull();
        assertThat(source.getProperties()).isEmpty();
    }

    @Test
    void namesThePropertyForAKey() {
        assertThat(ZooKeeperSystemPropertiesConfigSource.propertyName("superDigest"))
                .isEqualTo("zookeeper.DigestAuthenticationProvider.superDigest");
        assertThat(ZooKeeperSystemPropertiesConfigSource.propertyName("globalOutstandingLimit"))
                .isEqualTo("zookeeper.globalOutstandingLimit");
    }
}
