package io.ensemble.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LeadingDigitEnvConfigSourceTest {

    @Test
    void readsUnderscorePrefixedNameForKeysStartingWithADigit() {
        var source = new LeadingDigitEnvConfigSource(Map.of("_4LW_COMMANDS_WHITELIST", "ruok,srvr", "_TICKTIME", "1"));

        assertThat(source.getValue("4lw.commands.whitelist")).isEqualTo("ruok,srvr");
        assertThat(source.getValue("tickTime")).isNull();
        assertThat(source.getOrdinal()).isEqualTo(300);
    }

    @Test
    void envNamesFollowMicroProfileRule() {
        assertThat(LeadingDigitEnvConfigSource.mpEnvName("tickTime")).isEqualTo("TICKTIME");
        assertThat(LeadingDigitEnvConfigSource.mpEnvName("server.1")).isEqualTo("SERVER_1");
        assertThat(LeadingDigitEnvConfigSource.mpEnvName("4lw.commands.whitelist")).isEqualTo("4LW_COMMANDS_WHITELIST");
        assertThat(LeadingDigitEnvConfigSource.envName("4lw.commands.whitelist")).isEqualTo("_4LW_COMMANDS_WHITELIST");
        assertThat(LeadingDigitEnvConfigSource.envName("tickTime")).isNull();
    }
}
