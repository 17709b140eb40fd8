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
 * One coordination server under benchmark, run as its own JVM: either Ensemble ({@code java -cp ensemble.jar
 * io.ensemble.Main zoo.cfg}) or Apache ZooKeeper ({@code java -cp <test classpath>
 * org.apache.zookeeper.server.ZooKeeperServerMain zoo.cfg} standalone, {@code ...quorum.QuorumPeerMain zoo.cfg} as
 * a member of an ensemble). Both get the same zoo.cfg settings, the same JVM flags and the JDK of the benchmark
 * JVM. {@link BenchCluster} groups one system's servers. Not a test (no Test/IT suffix): surefire and failsafe skip
 * it.
 */
final class BenchServer implements AutoCloseable {
    private static final long START_TIMEOUT_MS = 60_000;

    /** Ports of one server. */
    record Ports(int client, int quorum, int election) {
        static Ports allocate() throws IOException {
            return new Ports(ServerJvm.freePort(), ServerJvm.freePort(), ServerJvm.freePort());
        }
    }

    /** The zoo.cfg settings both systems share. */
    record Config(int tickTime, boolean forceSync, int initLimit, int syncLimit, List<String> jvmFlags,
                  Path ensembleJar) {
    }

    private final String name;
    private final int myid;
    private final List<String> command;
    private final Path console;
    private final int port;
    private final Path dataDir;
    private Process process;

    private BenchServer(String name, int myid, List<String> command, Path console, int port, Path dataDir) {
        this.name = name;
        this.myid = myid;
        this.command = List.copyOf(command);
        this.console = console;
        this.port = port;
        this.dataDir = dataDir;
    }

    /**
     * Writes {@code <dir>/zoo.cfg} (and, in an ensemble, {@code <dir>/data/myid}) and returns the server, not yet
     * started.
     *
     * @param zooKeeper true for Apache ZooKeeper, false for Ensemble
     * @param myid      this server's id (1-based); ignored when {@code peers} has one entry (standalone)
     * @param peers     every server's ports, index 0 is server.1; one entry means standalone
     */
    static BenchServer create(boolean zooKeeper, Path dir, int myid, List<Ports> peers, Config c)
            throws IOException {
        Files.createDirectories(dir);
        Path data = Files.createDirectories(dir.resolve("data"));
        boolean quorum = peers.size() > 1;
        int port = quorum ? peers.get(myid - 1).client() : peers.get(0).client();
        List<String> cfg = new ArrayList<>(List.of(
                "tickTime=" + c.tickTime(),
                "clientPort=" + port,
                "clientPortAddress=127.0.0.1",
                "dataDir=" + data,
                "maxClientCnxns=0",
                "snapCount=100000",
                "globalOutstandingLimit=1000",
                "forceSync=" + (c.forceSync() ? "yes" : "no"),
                "admin.enableServer=false",
                "4lw.commands.whitelist=*"));
        if (quorum) {
            cfg.add("initLimit=" + c.initLimit());
            cfg.add("syncLimit=" + c.syncLimit());
            cfg.add("quorumListenOnAllIPs=false");
            for (int i = 0; i < peers.size(); i++) {
                Ports p = peers.get(i);
                cfg.add("server." + (i + 1) + "=127.0.0.1:" + p.quorum() + ":" + p.election());
            }
            Files.writeString(data.resolve("myid"), myid + "\n", StandardCharsets.UTF_8);
        }
        cfg.add("");
        Path cfgFile = dir.resolve("zoo.cfg");
        Files.writeString(cfgFile, String.join("\n", cfg), StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>();
        cmd.add(ServerJvm.javaCommand());
        cmd.addAll(c.jvmFlags());
        if (zooKeeper) {
            // ZooKeeper reads these as system properties too (zoo.cfg sets zookeeper.<key>; explicit is clearer).
            cmd.add("-Dzookeeper.forceSync=" + (c.forceSync() ? "yes" : "no"));
            cmd.add("-Dzookeeper.admin.enableServer=false");
            cmd.add("-Dzookeeper.4lw.commands.whitelist=*");
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(quorum ? "org.apache.zookeeper.server.quorum.QuorumPeerMain"
                    : "org.apache.zookeeper.server.ZooKeeperServerMain");
        } else {
            cmd.add("-cp");
            cmd.add(c.ensembleJar().toString());
            cmd.add("io.ensemble.Main");
        }
        cmd.add(cfgFile.toString());
        String name = (zooKeeper ? "ZooKeeper" : "Ensemble") + (quorum ? "-" + myid : "");
        return new BenchServer(name, quorum ? myid : 0, cmd, dir.resolve("console.log"), port, data);
    }

    /** The jar named by {@code -Densemble.jar} (even if missing: the caller says so), else this build's. */
    static Path locateEnsembleJar() {
        String explicit = System.getProperty("ensemble.jar", "");
        if (!explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath();
        }
        Path jar = ServerJvm.locateJar(BenchServer.class);
        return jar != null ? jar : Path.of("target", "ensemble.jar").toAbsolutePath();
    }

    String name() {
        return name;
    }

    int myid() {
        return myid;
    }

    String connectString() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    Path dataDir() {
        return dataDir;
    }

    Path console() {
        return console;
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
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
            checkAlive();
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

    void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited, see " + console + ":\n" + tail(40));
        }
    }

    /** The {@code Mode:} line of {@code srvr} (standalone, leader, follower, ...), or "" while not serving. */
    String mode() {
        for (String line : fourLetterWord("srvr").split("\n")) {
            if (line.startsWith("Mode: ")) {
                return line.substring("Mode: ".length()).trim();
            }
        }
        return "";
    }

    String fourLetterWord(String word) {
        return ServerJvm.fourLetterWord(port, word);
    }

    /** Process figures from /proc/<pid>: resident set (kB), its peak (kB), CPU time (s). Zeros if unreadable. */
    ProcStats procStats() {
        return procStats(pid());
    }

    /** {@link #procStats()} of any process. */
    static ProcStats procStats(long pid) {
        long rss = 0;
        long hwm = 0;
        double cpu = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kb(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kb(line);
                }
            }
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
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
