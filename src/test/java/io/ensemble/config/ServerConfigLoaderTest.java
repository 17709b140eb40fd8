package io.ensemble.config;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigLoaderTest {
    @TempDir
    Path dir;

    private final List<String> propertiesToClear = new ArrayList<>();

    @AfterEach
    void clearSystemProperties() {
        propertiesToClear.forEach(System::clearProperty);
    }

    @Test
    void defaultsAreZooKeepers() {
        ServerConfig c = ServerConfigLoader.load(config());

        assertThat(c.tickTime()).isEqualTo(3000);
        assertThat(c.clientPort()).isEqualTo(2181);
        assertThat(c.clientPortAddress()).isNull();
        assertThat(c.dataDir()).isEqualTo(Path.of("data"));
        assertThat(c.dataLogDir()).isEqualTo(Path.of("data"));
        assertThat(c.maxClientCnxns()).isEqualTo(60);
        assertThat(c.minSessionTimeout()).isEqualTo(6000);
        assertThat(c.maxSessionTimeout()).isEqualTo(60000);
        assertThat(c.fourLetterWords()).containsExactly("srvr");
        assertThat(c.juteMaxBuffer()).isEqualTo(0xfffff);
        assertThat(c.extendedTypesEnabled()).isFalse();
        assertThat(c.superDigest()).isNull();
        assertThat(c.globalOutstandingLimit()).isEqualTo(1000);
        assertThat(c.serverId()).isZero();
        assertThat(c.adminEnableServer()).isTrue();
        assertThat(c.adminServerAddress()).isEqualTo("0.0.0.0");
        assertThat(c.adminServerPort()).isEqualTo(8080);
        assertThat(c.containerCheckIntervalMs()).isEqualTo(60_000);
        assertThat(c.containerMaxPerMinute()).isEqualTo(10_000);
        assertThat(c.effective()).containsEntry("tickTime", "3000").containsEntry("snapCount", "100000")
                .containsEntry("forceSync", "yes").containsEntry("4lw.commands.whitelist", "srvr")
                .doesNotContainKey("superDigest").doesNotContainKey("initLimit");
        assertThat(c).usingRecursiveComparison().ignoringFields("effective").isEqualTo(ServerConfig.defaults());
    }

    @Test
    void sessionTimeoutBoundsFollowTickTime() {
        ServerConfig c = ServerConfigLoader.load(config(zooCfg("tickTime=2000\n")));

        assertThat(c.minSessionTimeout()).isEqualTo(4000);
        assertThat(c.maxSessionTimeout()).isEqualTo(40000);
        assertThat(ServerConfigLoader.describe(config(zooCfg("tickTime=2000\n"))))
                .contains("minSessionTimeout=4000 (default (2 x tickTime))");
    }

    @Test
    void minusOneSessionTimeoutMeansDefaultAsInZooKeeper() {
        ServerConfig c = ServerConfigLoader.load(config(zooCfg("minSessionTimeout=-1\nmaxSessionTimeout=-1\n")));

        assertThat(c.minSessionTimeout()).isEqualTo(6000);
        assertThat(c.maxSessionTimeout()).isEqualTo(60000);
    }

    @Test
    void readsAZooCfg() {
        ServerConfig c = ServerConfigLoader.load(config(zooCfg("""
                # standalone
                tickTime=2000
                clientPort=2182\s
                clientPortAddress=127.0.0.1
                dataDir=/var/zk/data
                dataLogDir=/var/zk/log
                maxClientCnxns=0
                minSessionTimeout=1000
                maxSessionTimeout=90000
                4lw.commands.whitelist=  stat , RUOK,,mntr
                jute.maxbuffer=0x400000
                extendedTypesEnabled=true
                globalOutstandingLimit=50
                admin.enableServer=false
                admin.serverAddress=127.0.0.1
                admin.serverPort=0
                znode.container.checkIntervalMs=1000
                znode.container.maxPerMinute=5
                initLimit=10
                syncLimit=5
                snapCount=10000
                forceSync=no
                autopurge.snapRetainCount=5
                autopurge.purgeInterval=1
                """)));

        assertThat(c.tickTime()).isEqualTo(2000);
        assertThat(c.clientPort()).isEqualTo(2182);
        assertThat(c.clientPortAddress()).isEqualTo("127.0.0.1");
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/zk/data"));
        assertThat(c.dataLogDir()).isEqualTo(Path.of("/var/zk/log"));
        assertThat(c.maxClientCnxns()).isZero();
        assertThat(c.minSessionTimeout()).isEqualTo(1000);
        assertThat(c.maxSessionTimeout()).isEqualTo(90000);
        assertThat(c.fourLetterWords()).containsExactlyInAnyOrder("stat", "ruok", "mntr");
        assertThat(c.isFourLetterWordAllowed("ruok")).isTrue();
        assertThat(c.isFourLetterWordAllowed("srvr")).isFalse();
        assertThat(c.juteMaxBuffer()).isEqualTo(0x400000);
        assertThat(c.extendedTypesEnabled()).isTrue();
        assertThat(c.globalOutstandingLimit()).isEqualTo(50);
        assertThat(c.adminEnableServer()).isFalse();
        assertThat(c.adminServerAddress()).isEqualTo("127.0.0.1");
        assertThat(c.adminServerPort()).isZero();
        assertThat(c.containerCheckIntervalMs()).isEqualTo(1000);
        assertThat(c.containerMaxPerMinute()).isEqualTo(5);
        assertThat(c.effective()).containsEntry("initLimit", "10").containsEntry("syncLimit", "5")
                .containsEntry("snapCount", "10000").containsEntry("forceSync", "no")
                .containsEntry("autopurge.snapRetainCount", "5").containsEntry("autopurge.purgeInterval", "1")
                .containsEntry("4lw.commands.whitelist", "stat , RUOK,,mntr")
                .containsEntry("jute.maxbuffer", "0x400000");
    }

    @Test
    void starAllowsEveryFourLetterWord() {
        ServerConfig c = ServerConfigLoader.load(config(zooCfg("4lw.commands.whitelist=*\n")));

        assertThat(c.isFourLetterWordAllowed("dump")).isTrue();
    }

    @Test
    void decimalJuteMaxBuffer() {
        assertThat(ServerConfigLoader.load(config(zooCfg("jute.maxbuffer=4194304\n"))).juteMaxBuffer())
                .isEqualTo(4194304);
    }

    @Test
    void systemPropertyOverridesZooCfgAndEnvLikeSourcesOverrideZooCfg() {
        setSystemProperty("tickTime", "1500");
        ConfigSource env = new FakeEnvSource(Map.of("CLIENTPORT", "2999"));
        ConfigSource cfg = zooCfg("tickTime=2000\nclientPort=2182\nmaxClientCnxns=7\n");

        Config config = ConfigProviderResolver.instance().getBuilder().addDefaultSources()
                .withSources(cfg, new LeadingDigitEnvConfigSource(Map.of("_4LW_COMMANDS_WHITELIST", "ruok"))).build();
        ServerConfig c = ServerConfigLoader.load(config);

        assertThat(c.tickTime()).isEqualTo(1500);
        assertThat(c.maxClientCnxns()).isEqualTo(7);
        assertThat(c.fourLetterWords()).containsExactly("ruok");
        assertThat(ServerConfigLoader.describe(config)).contains("tickTime=1500 (system property tickTime)",
                "maxClientCnxns=7 (zoo.cfg " + dir.resolve("zoo.cfg").toAbsolutePath() + ")",
                "4lw.commands.whitelist=ruok (env var _4LW_COMMANDS_WHITELIST)");
        // an env-ordinal source beats zoo.cfg too
        assertThat(ServerConfigLoader.load(config(cfg, env)).clientPort()).isEqualTo(2999);
    }

    @Test
    void zooKeeperSystemPropertyNamesWork() {
        setSystemProperty("zookeeper.DigestAuthenticationProvider.superDigest", "super:D/InIHSb7yEEbrWz8b9l71RjZJU=");
        setSystemProperty("zookeeper.extendedTypesEnabled", "true");
        setSystemProperty("zookeeper.4lw.commands.whitelist", "*");
        setSystemProperty("zookeeper.globalOutstandingLimit", "77");
        setSystemProperty("zookeeper.admin.enableServer", "false");
        setSystemProperty("zookeeper.snapCount", "42");
        setSystemProperty("jute.maxbuffer", "0x1000");

        Config config = ConfigProviderResolver.instance().getBuilder().addDefaultSources()
                .withSources(new ZooKeeperSystemPropertiesConfigSource(), zooCfg("globalOutstandingLimit=5\n"))
                .build();
        ServerConfig c = ServerConfigLoader.load(config);

        assertThat(c.superDigest()).isEqualTo("super:D/InIHSb7yEEbrWz8b9l71RjZJU=");
        assertThat(c.extendedTypesEnabled()).isTrue();
        assertThat(c.isFourLetterWordAllowed("mntr")).isTrue();
        assertThat(c.globalOutstandingLimit()).isEqualTo(77);
        assertThat(c.adminEnableServer()).isFalse();
        assertThat(c.juteMaxBuffer()).isEqualTo(0x1000);
        assertThat(c.effective()).containsEntry("snapCount", "42").containsEntry("superDigest", "super:****");
        assertThat(ServerConfigLoader.describe(config))
                .contains("globalOutstandingLimit=77 (system property zookeeper.globalOutstandingLimit)")
                .contains("superDigest=super:**** (system property zookeeper.DigestAuthenticationProvider.superDigest)")
                .noneMatch(line -> line.contains("D/InIH"));
    }

    @Test
    void registeredSourcesAreDiscovered() {
        setSystemProperty("zookeeper.config", write("zoo.cfg", "tickTime=1234\nadmin.serverPort=9191\n").toString());
        setSystemProperty("zookeeper.snapCount", "99");

        Config config = ConfigProviderResolver.instance().getBuilder()
                .addDefaultSources().addDiscoveredSources().build();

        assertThat(ServerConfigLoader.load(config).tickTime()).isEqualTo(1234);
        assertThat(ServerConfigLoader.load(config).effective()).containsEntry("snapCount", "99");
        // Helidon's HTTP port follows admin.serverPort (META-INF/microprofile-config.properties)
        assertThat(config.getValue("server.port", Integer.class)).isEqualTo(9191);
    }

    @Test
    void missingNamedZooCfgStopsStartUpWithOneLine() {
        Path missing = dir.resolve("missing.cfg");
        setSystemProperty("zookeeper.config", missing.toString());

        Config config = ConfigProviderResolver.instance().getBuilder().withSources(new ZooCfgConfigSource()).build();

        assertThatThrownBy(() -> ServerConfigLoader.load(config)).isInstanceOf(ConfigException.class)
                .hasMessage("Invalid configuration: cannot read zoo.cfg '" + missing
                        + "' (named by system property zookeeper.config) - file not found");
    }

    /** key | value | what the message says is expected. */
    private static final String[] BAD_VALUES = {
            "tickTime|abc|a positive integer (milliseconds)",
            "tickTime|-5|a positive integer (milliseconds)",
            "tickTime|0|a positive integer (milliseconds)",
            "clientPort|70000|a port number 0-65535",
            "clientPort|21x81|a port number 0-65535",
            "admin.serverPort|-1|a port number 0-65535",
            "maxClientCnxns|-3|a non-negative integer (0 = no limit)",
            "minSessionTimeout|soon|a positive integer (milliseconds)",
            "jute.maxbuffer|0xZZ|a positive number of bytes, decimal or 0x hex",
            "jute.maxbuffer|99999999999|a positive number of bytes, decimal or 0x hex",
            "extendedTypesEnabled|yes|true or false",
            "admin.enableServer|on|true or false",
            "superDigest|nocolon|id:digest, e.g. super:<base64 SHA-1>",
            "4lw.commands.whitelist|srvr stat|a comma-separated list of four-letter words (e.g. srvr,ruok,mntr) or *",
            "globalOutstandingLimit|0|a positive integer",
            "znode.container.checkIntervalMs|1.5|a positive integer (milliseconds)",
            "initLimit|ten|a positive integer (ticks)",
            "snapCount|1|an integer >= 2",
            "forceSync|maybe|yes or no",
            "serverId|300|an integer 0-255",
    };

    @TestFactory
    Stream<DynamicTest> badValueGivesOneLineNamingKeyValueSourceAndExpectation() {
        return Stream.of(BAD_VALUES).map(row -> row.split("\\|", 3)).map(row -> DynamicTest.dynamicTest(
                row[0] + "=" + row[1], () -> {
                    ConfigSource cfg = zooCfg(row[0] + "=" + row[1] + "   \n");

                    assertThatThrownBy(() -> ServerConfigLoader.load(config(cfg)))
                            .isInstanceOf(ConfigException.class)
                            .hasMessage("Invalid configuration: " + row[0] + "='" + row[1] + "' (from "
                                    + cfg.getName() + ") - expected " + row[2]);
                }));
    }

    @Test
    void badPathIsReported() {
        ConfigSource sys = new MapSource("System Properties", 400, Map.of("dataDir", "a\0b"));

        assertThatThrownBy(() -> ServerConfigLoader.load(config(sys)))
                .hasMessage("Invalid configuration: dataDir='a\0b' (from system property dataDir)"
                        + " - expected a directory path");
    }

    @Test
    void minAboveMaxNamesTheKeyThatWasSet() {
        ConfigSource both = zooCfg("minSessionTimeout=50000\nmaxSessionTimeout=40000\n");
        ConfigSource maxOnly = zooCfg("maxSessionTimeout=1000\n");

        assertThatThrownBy(() -> ServerConfigLoader.load(config(both)))
                .hasMessage("Invalid configuration: minSessionTimeout='50000' (from " + both.getName()
                        + ") - expected at most maxSessionTimeout (40000)");
        assertThatThrownBy(() -> ServerConfigLoader.load(config(maxOnly)))
                .hasMessage("Invalid configuration: maxSessionTimeout='1000' (from " + maxOnly.getName()
                        + ") - expected at least minSessionTimeout (6000 = 2 x tickTime)");
    }

    @Test
    void valueWithLineBreakStillGivesOneLine() {
        ConfigSource env = new FakeEnvSource(Map.of("TICKTIME", "12\n34"));

        assertThatThrownBy(() -> ServerConfigLoader.load(config(env)))
                .hasMessage("Invalid configuration: tickTime='12\\n34' (from env var TICKTIME)"
                        + " - expected a positive integer (milliseconds)");
    }

    @Test
    void unknownZooCfgKeysAreKeptAndWarnedOnce() {
        List<LogRecord> logged = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(ServerConfigLoader.class.getName());
        logger.addHandler(handler);
        try {
            ServerConfig c = ServerConfigLoader.load(config(zooCfg("""
                    tickTime=2000
                    syncEnabled=true
                    standaloneEnabled=false
                    """)));

            assertThat(c.effective()).containsEntry("syncEnabled", "true")
                    .containsEntry("standaloneEnabled", "false");
            assertThat(logged).singleElement().satisfies(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.WARNING);
                assertThat(r.getMessage()).contains("standaloneEnabled, syncEnabled").doesNotContain("\n");
            });
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Test
    void serverLinesAreKeptAndMyIdIsRead() throws IOException {
        Path dataDir = Files.createDirectory(dir.resolve("data"));
        Files.writeString(dataDir.resolve("myid"), "3\n");
        ConfigSource env = new FakeEnvSource(Map.of("SERVER_3", "zk3:2888:3888"));
        ConfigSource cfg = zooCfg("dataDir=" + dataDir + "\nserver.1=zk1:2888:3888\nserver.2=zk2:2888:3888;2181\n");

        Config config = config(cfg, env);
        ServerConfig c = ServerConfigLoader.load(config);

        assertThat(c.serverId()).isEqualTo(3);
        assertThat(c.effective()).containsEntry("server.1", "zk1:2888:3888")
                .containsEntry("server.2", "zk2:2888:3888;2181").containsEntry("server.3", "zk3:2888:3888");
        assertThat(ServerConfigLoader.describe(config))
                .contains("serverId=3 (myid file " + dataDir.resolve("myid").toAbsolutePath() + ")");
    }

    @Test
    void badMyIdNamesTheFile() throws IOException {
        Path dataDir = Files.createDirectory(dir.resolve("data"));
        Files.writeString(dataDir.resolve("myid"), "zero");

        assertThatThrownBy(() -> ServerConfigLoader.load(config(zooCfg("dataDir=" + dataDir
                + "\nserver.1=zk1:2888:3888\n"))))
                .hasMessage("Invalid configuration: serverId='zero' (from myid file "
                        + dataDir.resolve("myid").toAbsolutePath() + ") - expected an integer 1-255");
    }

    @Test
    void standaloneIgnoresMyId() throws IOException {
        Path dataDir = Files.createDirectory(dir.resolve("data"));
        Files.writeString(dataDir.resolve("myid"), "5");

        assertThat(ServerConfigLoader.load(config(zooCfg("dataDir=" + dataDir + "\n"))).serverId()).isZero();
    }

    @Test
    void describeListsEveryEffectiveKeyWithItsOrigin() {
        List<String> lines = ServerConfigLoader.describe(config(zooCfg("tickTime=2000\n")));

        assertThat(lines).contains("tickTime=2000 (zoo.cfg " + dir.resolve("zoo.cfg").toAbsolutePath() + ")",
                "clientPort=2181 (default)", "dataLogDir=data (default (dataDir))");
        assertThat(lines).isSorted();
        assertThat(lines).hasSize(ServerConfigLoader.load(config(zooCfg("tickTime=2000\n"))).effective().size());
    }

    @Test
    void builderRejectsBrokenInvariants() {
        assertThatThrownBy(() -> ServerConfig.builder().tickTime(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServerConfig.builder().minSessionTimeout(10).maxSessionTimeout(5).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ServerConfig.builder().fourLetterWords(Set.of("*")).build().isFourLetterWordAllowed("x"))
                .isTrue();
    }

    private Config config(ConfigSource... sources) {
        return ConfigProviderResolver.instance().getBuilder().withSources(sources).build();
    }

    private ConfigSource zooCfg(String content) {
        return ZooCfgConfigSource.of(write("zoo.cfg", content));
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void setSystemProperty(String key, String value) {
        propertiesToClear.add(key);
        System.setProperty(key, value);
    }
}
