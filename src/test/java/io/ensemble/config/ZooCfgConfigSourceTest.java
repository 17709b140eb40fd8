package io.ensemble.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ZooCfgConfigSourceTest {
    @TempDir
    Path dir;

    @Test
    void parsesKeyValueLinesSkippingCommentsAndTrimming() throws IOException {
        Path cfg = write("zoo.cfg", """
                # The number of milliseconds of each tick
                tickTime=2000\s\s\s
                ! a Properties-style comment
                  initLimit = 10
                dataDir=/var/lib/zookeeper\t
                4lw.commands.whitelist=srvr, ruok
                server.1=zk1:2888:3888
                clientPort =2181
                emptyValue=
                """);

        ZooCfgConfigSource source = ZooCfgConfigSource.of(cfg);

        assertThat(source.getProperties()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "tickTime", "2000", "initLimit", "10", "dataDir", "/var/lib/zookeeper",
                "4lw.commands.whitelist", "srvr, ruok", "server.1", "zk1:2888:3888", "clientPort", "2181",
                "emptyValue", ""));
        assertThat(source.getValue("tickTime")).isEqualTo("2000");
        assertThat(source.failure()).isEmpty();
        assertThat(source.getOrdinal()).isEqualTo(150);
        assertThat(source.getName()).isEqualTo("zoo.cfg " + cfg.toAbsolutePath());
    }

    @Test
    void systemPropertyNamesTheFileBeforeTheEnvVar() throws IOException {
        Path fromProperty = write("a.cfg", "tickTime=1000\n");
        Path fromEnv = write("b.cfg", "tickTime=2000\n");

        ZooCfgConfigSource both = new ZooCfgConfigSource(
                k -> k.equals("zookeeper.config") ? fromProperty.toString() : null,
                k -> k.equals("ZOO_CFG") ? fromEnv.toString() : null);
        ZooCfgConfigSource envOnly = new ZooCfgConfigSource(k -> null,
                k -> k.equals("ZOO_CFG") ? fromEnv.toString() : null);

        assertThat(both.getValue("tickTime")).isEqualTo("1000");
        assertThat(envOnly.getValue("tickTime")).isEqualTo("2000");
    }

    @Test
    void noFileNamedGivesAnEmptySource() {
        ZooCfgConfigSource source = new ZooCfgConfigSource(k -> null, k -> null);

        assertThat(source.getProperties()).isEmpty();
        assertThat(source.file()).isEmpty();
        assertThat(source.failure()).isEmpty();
    }

    @Test
    void missingNamedFileIsRecordedAsOneLine() {
        Path missing = dir.resolve("nope.cfg");
        ZooCfgConfigSource source = new ZooCfgConfigSource(
                k -> k.equals("zookeeper.config") ? missing.toString() : null, k -> null);

        assertThat(source.getProperties()).isEmpty();
        assertThat(source.failure()).hasValue("Invalid configuration: cannot read zoo.cfg '" + missing
                + "' (named by system property zookeeper.config) - file not found");
    }

    @Test
    void directoryInsteadOfFileIsRecorded() {
        ZooCfgConfigSource source = new ZooCfgConfigSource(k -> null, k -> k.equals("ZOO_CFG") ? dir.toString() : null);

        assertThat(source.failure()).get().asString()
                .contains("(named by env var ZOO_CFG)")
                .endsWith("it is a directory, expected a file")
                .doesNotContain("\n");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
