package io.ensemble.scripts;

import io.ensemble.testing.Clients;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the real {@code bin/zkEnsemble.sh}: it starts a local 3-server ensemble through zkServer.sh, the servers
 * elect a leader, a client writes through the connect string it prints, and stop stops them all.
 */
class ZkEnsembleScriptIT {
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);

    private final Path home = Path.of(System.getProperty("basedir", "")).toAbsolutePath();

    @TempDir
    Path dir;

    private Map<String, String> ports;

    @BeforeEach
    void choosePorts() throws IOException {
        assumeTrue(Files.isRegularFile(home.resolve("target/ensemble.jar")),
                "target/ensemble.jar is missing: run after `./mvnw package` (failsafe does)");
        ports = Map.of("ZOO_ENSEMBLE_CLIENT_PORT", String.valueOf(freeRun()),
                "ZOO_ENSEMBLE_QUORUM_PORT", String.valueOf(freeRun()),
                "ZOO_ENSEMBLE_ELECTION_PORT", String.valueOf(freeRun()),
                "ZOO_ENSEMBLE_ADMIN_PORT", String.valueOf(freeRun()));
    }

    @AfterEach
    void stopLeftovers() throws Exception {
        if (ports != null) {
            run("stop");
        }
    }

    @Test
    void startsAThreeServerEnsembleThatElectsALeaderAndStopsIt() throws Exception {
        String start = run("start");
        assertThat(start).contains("Connect string: 127.0.0.1:" + ports.get("ZOO_ENSEMBLE_CLIENT_PORT"));
        String connect = start.substring(start.indexOf("Connect string: ") + "Connect string: ".length()).trim();

        await("one leader and two followers").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    String status = run("status");
                    return count(status, "Mode: leader") == 1 && count(status, "Mode: follower") == 2;
                });
        try (ZooKeeper zk = Clients.connect(connect, 10_000)) {
            zk.create("/from-script", "hi".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertThat(zk.getData("/from-script", false, null)).isEqualTo("hi".getBytes());
        }

        assertThat(count(run("stop"), "STOPPED")).isEqualTo(3);
        assertThat(count(run("status"), "Error contacting service")).isEqualTo(3);
    }

    @Test
    void refusesAnEvenNumberOfServers() throws Exception {
        assertThat(run("start", "4")).contains("odd number");
    }

    private static int count(String text, String what) {
        return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    /** The first of three consecutive free loopback ports. */
    private static int freeRun() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            if (free(base) && free(base + 1) && free(base + 2)) {
                return base;
            }
        }
        throw new IOException("no three consecutive free ports");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String run(String command) throws IOException, InterruptedException {
        return run(command, "3");
    }

    private String run(String command, String servers) throws IOException, InterruptedException {
        Path out = dir.resolve("script.out");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/zkEnsemble.sh").toString(), command, servers,
                dir.resolve("ensemble").toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(ports);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("ZK_SERVER_HEAP", "256");
        pb.environment().remove("SERVER_JVMFLAGS");
        pb.environment().remove("JVMFLAGS");
        Process process = pb.start();
        if (!process.waitFor(SCRIPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("zkEnsemble.sh " + command + " did not finish:\n" + Files.readString(out));
        }
        return Files.readString(out);
    }
}
