package io.ensemble.config;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Env vars cannot be set inside a running JVM, so these tests start a child JVM with a chosen environment and the
 * real Helidon config (default + discovered sources), and read back {@link ServerConfigLoader#describe}.
 */
class EnvVarOverrideTest {
    @TempDir
    Path dir;

    @Test
    void envVarsOverrideZooCfgByMicroProfileNames() throws Exception {
        Path cfg = Files.writeString(dir.resolve("zoo.cfg"), "tickTime=2000\nclientPort=2182\nmaxClientCnxns=9\n");

        List<String> out = run(Map.of("ZOO_CFG", cfg.toString(), "TICKTIME", "1500", "CLIENTPORT", " 2999 ",
                "ADMIN_SERVERPORT", "9999", "JUTE_MAXBUFFER", "0x2000", "SERVER_1", "zk1:2888:3888",
                "_4LW_COMMANDS_WHITELIST", "ruok,mntr", "MYID", "1"));

        assertThat(out).contains("tickTime=1500 (env var TICKTIME)", "clientPort=2999 (env var CLIENTPORT)",
                "admin.serverPort=9999 (env var ADMIN_SERVERPORT)", "jute.maxbuffer=0x2000 (env var JUTE_MAXBUFFER)",
                "server.1=zk1:2888:3888 (env var SERVER_1)",
                "4lw.commands.whitelist=ruok,mntr (env var _4LW_COMMANDS_WHITELIST)",
                "maxClientCnxns=9 (zoo.cfg " + cfg.toAbsolutePath() + ")", "serverId=1 (env var MYID)");
    }

    @Test
    void plainMicroProfileNameForADigitKeyWorksWhereItCanBeSet() throws Exception {
        List<String> out = run(Map.of("4LW_COMMANDS_WHITELIST", "stat"));

        assertThat(out).contains("4lw.commands.whitelist=stat (env var 4LW_COMMANDS_WHITELIST)");
    }

    @Test
    void badEnvValueAndMissingZooCfgGiveOneLine() throws Exception {
        assertThat(run(Map.of("TICKTIME", "abc"))).containsExactly("ERROR Invalid configuration: tickTime='abc'"
                + " (from env var TICKTIME) - expected a positive integer (milliseconds)");
        Path missing = dir.resolve("missing.cfg");
        assertThat(run(Map.of("ZOO_CFG", missing.toString()))).containsExactly("ERROR Invalid configuration:"
                + " cannot read zoo.cfg '" + missing + "' (named by env var ZOO_CFG) - file not found");
    }

    @Test
    void aStatefulSetPodTakesItsIdFromItsOrdinalAndRefusesAMyIdThatDisagrees() throws Exception {
        Map<String, String> pod = Map.of("HOSTNAME", "ensemble-1", "K8S_REPLICAS", "3", "K8S_SERVICENAME", "hs",
                "DATADIR", dir.toString());
        assertThat(run(pod)).contains("serverId=2 (host name ensemble-1 (StatefulSet ordinal 1 + 1))",
                "server.3=ensemble-2.hs:2888:3888:participant;2181 (generated from k8s.replicas)");

        Map<String, String> stale = new java.util.HashMap<>(pod);
        stale.put("MYID", "3");
        assertThat(run(stale)).containsExactly("ERROR Invalid configuration: myid 3 disagrees with this pod's "
                + "StatefulSet ordinal (ensemble-1 is server 2); remove the stale myid file or setting");
    }

    private List<String> run(Map<String, String> env) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                PrintConfig.class.getName());
        pb.environment().keySet().removeIf(k -> k.equals("ZOO_CFG") || k.startsWith("_4LW"));
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return stdout.lines().toList();
    }

    /** The child process: loads the real config and prints describe() lines, or "ERROR <message>". */
    public static final class PrintConfig {
        public static void main(String[] args) {
            Config config = ConfigProviderResolver.instance().getBuilder()
                    .addDefaultSources().addDiscoveredSources().build();
            try {
                ServerConfigLoader.load(config);
                ServerConfigLoader.describe(config).forEach(System.out::println);
            } catch (ConfigException e) {
                System.out.println("ERROR " + e.getMessage());
                System.exit(2);
            }
        }
    }
}
