package io.ensemble.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * A real Ensemble server run as a separate JVM ({@code java -cp ensemble.jar io.ensemble.Main zoo.cfg}), the way an
 * operator runs it, so that {@link #kill9()} is a true {@code kill -9}: no shutdown hook, no flush, no close.
 */
public final class ServerProcess implements AutoCloseable {
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private final Path jar;
    private final Path cfg;
    private final Path console;
    private final List<String> jvmFlags;
    /** Words before the java command, e.g. {@code nice -n 19}: they exec java, so the pid stays the server's. */
    private final List<String> launchPrefix;
    private final String host;
    private final int port;
    /** The whole environment of the server, or null to inherit the test JVM's. */
    private final Map<String, String> env;
    private Process process;

    public ServerProcess(Path jar, Path cfg, Path console, int port, List<String> jvmFlags) {
        this(jar, cfg, console, port, jvmFlags, List.of());
    }

    /** A server whose command line starts with {@code launchPrefix} (a command that execs the rest). */
    public ServerProcess(Path jar, Path cfg, Path console, int port, List<String> jvmFlags,
                         List<String> launchPrefix) {
        this(jar, cfg, console, "127.0.0.1", port, jvmFlags, launchPrefix, null);
    }

    private ServerProcess(Path jar, Path cfg, Path console, String host, int port, List<String> jvmFlags,
                          List<String> launchPrefix, Map<String, String> env) {
        this.jar = jar;
        this.launchPrefix = List.copyOf(launchPrefix);
        this.cfg = cfg;
        this.console = console;
        this.host = host;
        this.port = port;
        this.jvmFlags = List.copyOf(jvmFlags);
        this.env = env == null ? null : Map.copyOf(env);
    }

    /**
     * A server configured the way a container starts one: no zoo.cfg, {@code env} as its entire environment (the
     * test JVM's is not inherited). Its client port is {@code host:port}.
     */
    public static ServerProcess fromEnv(Path jar, Map<String, String> env, Path console, String host, int port,
                                        List<String> jvmFlags) {
        return new ServerProcess(jar, null, console, host, port, jvmFlags, List.of(), env);
    }

    public int port() {
        return port;
    }

    public String connectString() {
        return host + ":" + port;
    }

    public long pid() {
        return process == null ? -1 : process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Starts the JVM (console output appended to the console file) and returns without waiting. */
    public void start() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException("already running as " + process.pid());
        }
        List<String> cmd = new ArrayList<>(launchPrefix);
        cmd.add(ServerJvm.javaCommand());
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(jar.toString());
        cmd.add("io.ensemble.Main");
        if (cfg != null) {
            cmd.add(cfg.toString());
        }
        Files.writeString(console, "\n=== " + (env == null ? "" : "env " + new java.util.TreeMap<>(env) + " ")
                + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        process = pb
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    /** Waits until the server answers {@code ruok} with {@code imok}; fails at once if the JVM exits. */
    public void awaitServing() {
        await("server on " + connectString() + " answers ruok").atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(25)).pollDelay(Duration.ZERO)
                .failFast("the server process exited (see " + console + "):\n" + tail(40), () -> !isAlive())
                .until(() -> "imok".equals(fourLetterWord("ruok")));
    }

    /** SIGTERM, as an operator's stop: shutdown hooks run. Waits for the JVM to exit. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The value of a {@code srvr} line such as "Mode" or "Node count", or "" if the server does not say. */
    public String srvr(String key) {
        for (String line : fourLetterWord("srvr").split("\n")) {
            if (line.startsWith(key + ": ")) {
                return line.substring(key.length() + 2).trim();
            }
        }
        return "";
    }

    /** SIGKILL (Process.destroyForcibly sends SIGKILL on Linux): the JVM gets no chance to run any code. */
    public int kill9() throws InterruptedException {
        if (process == null) {
            return -1;
        }
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("process " + process.pid() + " survived SIGKILL for 30 s");
        }
        return process.exitValue();
    }

    /** The JVM flags this server starts with. */
    public List<String> jvmFlags() {
        return jvmFlags;
    }

    /**
     * Waits for the JVM to exit on its own (a crash point, a fatal error) and returns its exit code; fails if it is
     * still running after {@code atMost}.
     */
    public int awaitExit(Duration atMost) throws InterruptedException {
        if (process == null) {
            throw new IllegalStateException("never started");
        }
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("process " + process.pid() + " still running after " + atMost
                    + " (see " + console + "):\n" + tail(30));
        }
        return process.exitValue();
    }

    /** SIGSTOP: the JVM is frozen (no thread runs, sockets stay open) until {@link #resume()}. */
    public void pause() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String sig) throws IOException, InterruptedException {
        if (!isAlive()) {
            throw new IllegalStateException("not running");
        }
        int rc = new ProcessBuilder("kill", sig, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IOException("kill " + sig + " " + process.pid() + " exited with " + rc);
        }
    }

    /** The JVM's resident set size in KiB (VmRSS of /proc/pid/status), or -1 if it is not running. */
    public long rssKb() {
        if (!isAlive()) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /**
     * The JVM's live heap in KiB: a full GC ({@code jcmd GC.run}), then the "used" of {@code jcmd GC.heap_info}.
     * Unlike RSS this does not count heap the JVM grew into and keeps; -1 if it cannot tell.
     */
    public long heapUsedAfterGcKb() {
        if (!isAlive()) {
            return -1;
        }
        try {
            jcmd("GC.run");
            Matcher m = HEAP_USED.matcher(jcmd("GC.heap_info"));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(ServerJvm.javaCommand()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    /** Open file descriptors of the JVM (entries of /proc/pid/fd), or -1. */
    public int openFds() {
        if (!isAlive()) {
            return -1;
        }
        try (var fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Sends a four-letter word and returns the whole answer, or "" if the server did not answer. */
    public String fourLetterWord(String word) {
        return ServerJvm.fourLetterWord(host, port, word);
    }

    /** The server's last zxid from {@code srvr} ("Zxid: 0x..."), or -1. */
    public long zxid() {
        for (String line : fourLetterWord("srvr").split("\n")) {
            if (line.startsWith("Zxid: 0x")) {
                return Long.parseUnsignedLong(line.substring("Zxid: 0x".length()).trim(), 16);
            }
        }
        return -1;
    }

    /** The last console line containing the text, or "" (e.g. the server's "Recovered ..." line). */
    public String lastLineContaining(String text) {
        try {
            List<String> all = Files.readAllLines(console, StandardCharsets.UTF_8);
            for (int i = all.size() - 1; i >= 0; i--) {
                if (all.get(i).contains(text)) {
                    return all.get(i);
                }
            }
        } catch (IOException ignored) {
            // reported as missing
        }
        return "";
    }

    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(console, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + console + ": " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
