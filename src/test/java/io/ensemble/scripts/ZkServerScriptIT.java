package io.ensemble.scripts;

import io.ensemble.testing.ServerJvm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@code bin/zkServer.sh} as a process against the packaged {@code target/ensemble.jar}: start in the
 * background, {@code status} over the four-letter word {@code srvr}, refusal to start twice, stop. An integration
 * test (failsafe, after {@code package}), so the jar exists when it runs. Linux only: it reads {@code /proc}.
 */
class ZkServerScriptIT {
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration SERVER_UP_TIMEOUT = Duration.ofSeconds(60);

    private final Path home = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private final Path script = home.resolve("bin/zkServer.sh");

    @TempDir
    Path dir;

    private Path cfg;
    private Path dataDir;
    private Path pidFile;
    private int clientPort;

    @BeforeEach
    void writeConfig() throws IOException {
        assumeTrue(Files.isRegularFile(home.resolve("target/ensemble.jar")),
                "target/ensemble.jar is missing: run after `./mvnw package` (failsafe does)");
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc to look at the server process");
        clientPort = ServerJvm.freePort();
        int adminPort = ServerJvm.freePort();
        dataDir = dir.resolve("data");
        pidFile = dataDir.resolve("zookeeper_server.pid");
        cfg = dir.resolve("zoo.cfg");
        Files.writeString(cfg, String.join("\n",
                "tickTime=2000",
                "dataDir=" + dataDir,
                "clientPort=" + clientPort,
                "admin.serverPort=" + adminPort,
                "4lw.commands.whitelist=*",
                ""));
    }

    /** If a test failed half-way, do not leave a server behind. */
    @AfterEach
    void killLeftOverServer() throws IOException {
        if (pidFile == null || !Files.exists(pidFile)) {
            return;
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        if (pid != ProcessHandle.current().pid() && isRunning(pid) && cmdline(pid).contains("ensemble.jar")) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void startStatusStop() throws Exception {
        Result start = run("start", cfg.toString());
        assertThat(start.exit()).as(start.output()).isZero();
        assertThat(start.output()).contains("STARTED");

        assertThat(pidFile).exists();
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(isRunning(pid)).as("server process %d; its output:%n%s", pid, serverOutput()).isTrue();
        assertThat(argv0(pid)).as("argv[0] of the process in the pid file").matches("(.*/)?java");
        assertThat(cmdline(pid)).contains("java").contains("ensemble.jar").contains(cfg.toString());

        await().atMost(SERVER_UP_TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .failFast("the server process exited", () -> !isRunning(pid))
                .untilAsserted(() -> {
                    Result status = run("status", cfg.toString());
                    assertThat(status.output()).contains("Mode: standalone");
                    assertThat(status.exit()).isZero();
                });
        Result status = run("status", cfg.toString());
        assertThat(status.output()).contains("Client port found: " + clientPort + ". Client address: localhost.");

        Result again = run("start", cfg.toString());
        assertThat(again.exit()).as(again.output()).isNotZero();
        assertThat(again.output()).contains("already running as process " + pid);
        assertThat(Files.readString(pidFile).trim()).isEqualTo(Long.toString(pid));
        assertThat(isRunning(pid)).isTrue();

        Result stop = run("stop", cfg.toString());
        assertThat(stop.exit()).as(stop.output()).isZero();
        assertThat(stop.output()).contains("STOPPED");
        assertThat(pidFile).doesNotExist();
        assertThat(isRunning(pid)).as("server process %d after stop", pid).isFalse();

        Result after = run("status", cfg.toString());
        assertThat(after.exit()).isEqualTo(1);
        assertThat(after.output()).contains("Error contacting service. It is probably not running.");
    }

    @Test
    void statusAndStopWhenNothingRuns() throws Exception {
        Result status = run("status", cfg.toString());
        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.output())
                .contains("Client port found: " + clientPort + ". Client address: localhost.")
                .contains("Error contacting service. It is probably not running.");

        Result stop = run("stop", cfg.toString());
        assertThat(stop.exit()).isZero();
        assertThat(stop.output()).contains("no Ensemble to stop");
    }

    @Test
    void stopRemovesAStalePidFileOfAGoneProcess() throws Exception {
        Files.createDirectories(dataDir);
        Files.writeString(pidFile, "999999999");   // no such process

        Result stop = run("stop", cfg.toString());
        assertThat(stop.exit()).as(stop.output()).isZero();
        assertThat(stop.output()).contains("removed stale pid file");
        assertThat(pidFile).doesNotExist();
    }

    @Test
    void stopDoesNotKillAProcessThatReusedThePid() throws Exception {
        Process other = new ProcessBuilder("sleep", "600").start();   // alive, but not an Ensemble server
        try {
            Files.createDirectories(dataDir);
            Files.writeString(pidFile, Long.toString(other.pid()));

            Result stop = run("stop", cfg.toString());
            assertThat(stop.exit()).as(stop.output()).isZero();
            assertThat(stop.output()).contains("removed stale pid file");
            assertThat(pidFile).doesNotExist();
            assertThat(other.isAlive()).isTrue();
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void versionPrintsTheProjectVersion() throws Exception {
        Result version = run("version");
        assertThat(version.exit()).isZero();
        assertThat(version.output()).containsPattern("Ensemble, version \\d+\\.\\d+\\.\\d+");
    }

    @Test
    void unknownCommandPrintsUsage() throws Exception {
        Result usage = run("bogus");
        assertThat(usage.exit()).isNotZero();
        assertThat(usage.output()).contains("Usage:").contains("start-foreground");
    }

    // --- helpers ------------------------------------------------------------------------------------------

    record Result(int exit, String output) {
    }

    /** Runs the script in {@link #dir} with a clean environment; stdout and stderr together. */
    private Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "script-", ".out");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        for (String name : List.of("ZOOCFGDIR", "ZOOCFG", "ZOO_CFG", "ZOOPIDFILE", "SERVER_JVMFLAGS", "JVMFLAGS",
                "CLIENTPORT", "clientPort", "CLIENTPORTADDRESS", "clientPortAddress", "DATADIR", "dataDir",
                "ZOO_NOEXEC")) {
            env.remove(name);
        }
        env.put("JAVA_HOME", System.getProperty("java.home"));   // the Java running the build: >= 21
        env.put("ZOO_LOG_DIR", dir.resolve("logs").toString());
        env.put("ZK_SERVER_HEAP", "256");
        Process process = pb.start();
        if (!process.waitFor(SCRIPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("zkServer.sh " + String.join(" ", args) + " did not finish in "
                    + SCRIPT_TIMEOUT + ":\n" + Files.readString(out));
        }
        return new Result(process.exitValue(), Files.readString(out));
    }

    /** The server's console output ({@code $ZOO_LOG_DIR/zookeeper-<user>-server-<host>.out}). */
    private String serverOutput() throws IOException {
        Path logs = dir.resolve("logs");
        if (!Files.isDirectory(logs)) {
            return "(no " + logs + ")";
        }
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".out")).toList()) {
                text.append("--- ").append(file).append('\n').append(Files.readString(file));
            }
        }
        return text.toString();
    }

    private static List<String> args(long pid) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
        return List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
    }

    private static String argv0(long pid) throws IOException {
        return args(pid).getFirst();
    }

    private static String cmdline(long pid) throws IOException {
        return String.join(" ", args(pid));
    }

    /**
     * Whether the process exists and has not exited. The server is re-parented to init when the script returns;
     * where init does not reap, an exited server lingers as a zombie (state Z), which counts as gone.
     */
    private static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException gone) {
            return false;
        }
    }
}
