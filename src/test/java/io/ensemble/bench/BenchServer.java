package io.ensemble.bench;

import io.ensemble.testing.ServerJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A coordination server under benchmark, run as its own JVM: either Ensemble ({@code java -cp ensemble.jar
 * io.ensemble.Main zoo.cfg}) or Apache ZooKeeper ({@code java -cp <test classpath>
 * org.apache.zookeeper.server.ZooKeeperServerMain zoo.cfg}). Both get the same zoo.cfg settings, the same JVM flags
 * and the JDK of the benchmark JVM. Not a test (no Test/IT suffix): surefire and failsafe skip it.
 */
final class BenchServer implements AutoCloseable {
    private static final long START_TIMEOUT_MS = 60_000;

    private final String name;
    private final List<String> command;
    private final Path console;
    private final int port;
    private final Path dataDir;
    private Process process;

    private BenchServer(String name, List<String> command, Path console, int port, Path dataDir) {
        this.name = name;
        this.command = List.copyOf(command);
        this.console = console;
        this.port = port;
        this.dataDir = dataDir;
    }

    /**
     * Writes {@code <dir>/zoo.cfg} with the shared settings and returns the server, not yet started.
     *
     * @param zooKeeper true for Apache ZooKeeper, false for Ensemble
     */
    static BenchServer create(boolean zooKeeper, Path dir, int tickTime, boolean forceSync, List<String> jvmFlags,
                              Path ensembleJar) throws IOException {
        Files.createDirectories(dir);
        Path data = Files.createDirectories(dir.resolve("data"));
        int port = ServerJvm.freePort();
        String cfg = String.join("\n",
                "tickTime=" + tickTime,
                "clientPort=" + port,
                "clientPortAddress=127.0.0.1",
                "dataDir=" + data,
                "maxClientCnxns=0",
                "snapCount=100000",
                "globalOutstandingLimit=1000",
                "forceSync=" + (forceSync ? "yes" : "no"),
                "admin.enableServer=false",
                "4lw.commands.whitelist=*",
                "");
        Path cfgFile = dir.resolve("zoo.cfg");
        Files.writeString(cfgFile, cfg, StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>();
        cmd.add(ServerJvm.javaCommand());
        cmd.addAll(jvmFlags);
        if (zooKeeper) {
            // ZooKeeper reads these as system properties too (zoo.cfg sets zookeeper.<key>; explicit is clearer).
            cmd.add("-Dzookeeper.forceSync=" + (forceSync ? "yes" : "no"));
            cmd.add("-Dzookeeper.admin.enableServer=false");
            cmd.add("-Dzookeeper.4lw.commands.whitelist=*");
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("org.apache.zookeeper.server.ZooKeeperServerMain");
        } else {
            cmd.add("-cp");
            cmd.add(ensembleJar.toString());
            cmd.add("io.ensemble.Main");
        }
        cmd.add(cfgFile.toString());
        return new BenchServer(zooKeeper ? "ZooKeeper" : "Ensemble", cmd, dir.resolve("console.log"), port, data);
    }

    static Path locateEnsembleJar() {
        Path jar = ServerJvm.locateJar(BenchServer.class);
        return jar != null ? jar : Path.of("target", "ensemble.jar").toAbsolutePath();
    }

    String name() {
        return name;
    }

    String connectString() {
        return "127.0.0.1:" + port;
    }

    Path dataDir() {
        return dataDir;
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    void start() throws IOException {
        Files.writeString(console, "=== " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    /** Waits until the server answers {@code ruok} with {@code imok}; returns the milliseconds it took. */
    long awaitServing() throws InterruptedException {
        long t0 = System.nanoTime();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited at start-up, see " + console + ":\n" + tail(40));
            }
            if ("imok".equals(fourLetterWord("ruok"))) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            if ((System.nanoTime() - t0) / 1_000_000 > START_TIMEOUT_MS) {
                throw new IllegalStateException(name + " not serving after " + START_TIMEOUT_MS + " ms, see "
                        + console + ":\n" + tail(40));
            }
            Thread.sleep(50); // benchmark code, not a test: polling a starting process; 50 ms bounds the timing error
        }
    }

    String fourLetterWord(String word) {
        return ServerJvm.fourLetterWord(port, word);
    }

    /** Process figures from /proc/<pid>: resident set (kB), its peak (kB), CPU time (s). Zeros if unreadable. */
    ProcStats procStats() {
        long rss = 0;
        long hwm = 0;
        double cpu = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kb(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kb(line);
                }
            }
            String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields after "(comm) ": state=0 ... utime=11, stime=12 (1-based 14 and 15 in proc(5))
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            cpu = ticks / 100.0;   // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException ignored) {
            // not Linux, or the process is gone
        }
        return new ProcStats(rss, hwm, cpu);
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    record ProcStats(long rssKb, long peakRssKb, double cpuSeconds) {
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(console, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + console + ": " + e + ")";
        }
    }

    /** SIGTERM, then SIGKILL after 15 s. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(15, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
