package io.ensemble.bench;

import io.ensemble.testing.ServerJvm;
import io.ensemble.bench.LoadGenerator.Result;
import io.ensemble.bench.LoadGenerator.Settings;
import io.ensemble.bench.LoadGenerator.Workload;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Side-by-side benchmark of Ensemble against Apache ZooKeeper 3.9 (standalone), not a test (surefire and failsafe
 * skip it). Both servers run as separate JVMs at the same time, on loopback, with the same zoo.cfg settings
 * (tickTime, forceSync, snapCount, globalOutstandingLimit, admin server off), fresh data directories under the same
 * parent (same disk), the same JVM flags (-Xmx1g) and the JDK of this JVM. The load generator uses the official
 * ZooKeeper Java client, async API: {@code bench.clients} sessions, each with {@code bench.outstanding} requests in
 * flight. Per workload the servers are measured alternately, in ABBA order (ZooKeeper, Ensemble, Ensemble,
 * ZooKeeper, ...), so linear machine drift cancels; each run is a warm-up and then a measured interval.
 * <p>
 * Prints per workload ops/s, latency avg / p50 / p99 / p99.9 / max, server CPU seconds per 1,000 ops and server
 * RSS, plus the ratio Ensemble/ZooKeeper and PASS/BELOW for the targets (writes >= 1.5x, reads >= 1.2x). It
 * never fails on a ratio. A JSON copy of the figures goes to {@code bench.json}.
 * <p>
 * Run: {@code ./mvnw -B -q -Pbench -DskipTests package exec:exec}. Knobs (system properties, forwarded by the
 * profile): bench.clients (8), bench.outstanding (100), bench.warmup (4 s), bench.seconds (10 s measured),
 * bench.maxOps (measured ops per run, 10,000,000), bench.valueSize (100 bytes), bench.keys (1000 znodes),
 * bench.readPercent (90, for mix), bench.workloads (write,read,mix,churn,write@1; a suffix {@code @N} runs that
 * workload with N outstanding per client, {@code write@1} is the latency run), bench.rounds (2 runs per server per
 * workload),
 * bench.forceSync (true), bench.tickTime (2000), bench.serverJvmFlags ("-Xmx1g"), bench.dir (java.io.tmpdir),
 * bench.json (side-by-side.json in the build directory), ensemble.jar (the build directory's ensemble.jar).
 */
public final class SideBySideBenchmark {
    private static final List<Logger> QUIET = new ArrayList<>();
    private static final double WRITE_TARGET = 1.5;
    private static final double READ_TARGET = 1.2;

    /** One measured run plus the server's CPU and memory over it. */
    record Run(String server, int round, Result result, double cpuSeconds, long rssKb) {
    }

    private SideBySideBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        quiet("org.apache.zookeeper", Level.SEVERE);
        Settings s = new Settings(
                Integer.getInteger("bench.clients", 8),
                Integer.getInteger("bench.outstanding", 100),
                Integer.getInteger("bench.warmup", 4),
                Integer.getInteger("bench.seconds", 10),
                Long.getLong("bench.maxOps", 10_000_000L),
                Integer.getInteger("bench.valueSize", 100),
                Integer.getInteger("bench.keys", 1000),
                Integer.getInteger("bench.readPercent", 90));
        int rounds = Integer.getInteger("bench.rounds", 2);
        boolean forceSync = Boolean.parseBoolean(prop("bench.forceSync", "true"));
        int tickTime = Integer.getInteger("bench.tickTime", 2000);
        List<String> jvmFlags = new ArrayList<>(
                Arrays.asList(prop("bench.serverJvmFlags", "-Xmx1g").trim().split("\\s+")));
        jvmFlags.add("-Djava.net.preferIPv4Stack=true");
        List<String> workloads = Stream.of(prop("bench.workloads", "write,read,mix,churn,write@1").split(","))
                .map(String::trim).filter(w -> !w.isEmpty()).toList();
        Path jar = BenchServer.locateEnsembleJar();
        if (!Files.isRegularFile(jar)) {
            System.err.println("No Ensemble jar at " + jar + ": build it first (./mvnw -B -DskipTests package) "
                    + "or name it with -Densemble.jar=...");
            System.exit(2);
        }
        Path base = Path.of(prop("bench.dir", System.getProperty("java.io.tmpdir")));
        Path root = Files.createTempDirectory(base, "side-by-side-");
        Path json = Path.of(prop("bench.json", jar.getParent().resolve("side-by-side.json").toString()));

        String machine = machine();
        String loadBefore = loadAverage();
        System.out.printf("Side-by-side benchmark: Ensemble vs Apache ZooKeeper %s, standalone, loopback%n",
                org.apache.zookeeper.Version.getFullVersion().split("[ ,-]")[0]);
        System.out.printf("Machine: %s; load average at start: %s%n", machine, loadBefore);
        System.out.printf("Servers: %s, %s; tickTime=%d, forceSync=%s, data under %s%n", ServerJvm.javaCommand(),
                String.join(" ", jvmFlags), tickTime, forceSync ? "yes" : "no", root);
        System.out.printf("Load: %d clients x %d outstanding, %d-byte values, %d keys, warm-up %d s + measured %d s "
                        + "(max %,d ops), %d rounds per server in ABBA order; workloads %s%n%n", s.clients(),
                s.outstanding(), s.valueSize(), s.keys(), s.warmupSeconds(), s.seconds(), s.maxOps(), rounds,
                workloads);

        long started = System.nanoTime();
        Map<String, List<Run>> byWorkload = new LinkedHashMap<>();
        BenchServer zk = BenchServer.create(true, root.resolve("zookeeper"), tickTime, forceSync, jvmFlags, jar);
        BenchServer en = BenchServer.create(false, root.resolve("ensemble"), tickTime, forceSync, jvmFlags, jar);
        long[] peakRss = new long[2];
        boolean ok = false;
        try {
            zk.start();
            en.start();
            System.out.printf("ZooKeeper pid %d serving after %d ms; Ensemble pid %d serving after %d ms%n",
                    zk.pid(), zk.awaitServing(), en.pid(), en.awaitServing());
            LoadGenerator gen = new LoadGenerator(s);
            gen.prepare(zk.connectString());
            gen.prepare(en.connectString());
            for (String spec : workloads) {
                String[] parts = spec.split("@");
                Workload w = Workload.of(parts[0]);
                int outstanding = parts.length > 1 ? Integer.parseInt(parts[1]) : s.outstanding();
                List<Run> runs = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    List<BenchServer> order = r % 2 == 0 ? List.of(zk, en) : List.of(en, zk);
                    for (BenchServer server : order) {
                        Run run = measure(gen, server, w, outstanding, r);
                        runs.add(run);
                        Result res = run.result();
                        System.out.printf(Locale.ROOT, "  %-10s round %d %-9s %,10.0f ops/s  p50 %6.2f ms  p99 %7.2f ms"
                                        + "  cpu %5.2f s  rss %4d MB%s%n", spec, r + 1, server.name(),
                                res.opsPerSecond(), ms(res.latencyMicros().getValueAtPercentile(50)),
                                ms(res.latencyMicros().getValueAtPercentile(99)), run.cpuSeconds(),
                                run.rssKb() >> 10, res.errors() > 0 || res.firstError() != null
                                        ? "  errors " + res.errors() + " (" + res.firstError() + ")" : "");
                    }
                }
                byWorkload.put(spec, runs);
            }
            peakRss[0] = zk.procStats().peakRssKb();
            peakRss[1] = en.procStats().peakRssKb();
            ok = true;
        } finally {
            zk.close();
            en.close();
            if (ok) {
                deleteRecursively(root);
            } else {
                System.err.println("Failed: server logs kept in " + root + " (*/console.log)");
            }
        }
        String loadAfter = loadAverage();
        List<String> table = table(byWorkload, s, peakRss);
        System.out.println();
        table.forEach(System.out::println);
        System.out.printf("%nLoad average at start: %s; at end: %s. Total time %.0f s.%n", loadBefore, loadAfter,
                (System.nanoTime() - started) / 1e9);
        writeJson(json, byWorkload, s, rounds, forceSync, tickTime, jvmFlags, machine, loadBefore, loadAfter, peakRss);
        System.out.println("JSON: " + json);
        System.exit(0);
    }

    private static Run measure(LoadGenerator gen, BenchServer server, Workload w, int outstanding, int round)
            throws Exception {
        double[] cpu = new double[2];
        long[] rss = new long[1];
        Result res = gen.run(server.connectString(), w, outstanding,
                () -> cpu[0] = server.procStats().cpuSeconds(),
                () -> {
                    BenchServer.ProcStats st = server.procStats();
                    cpu[1] = st.cpuSeconds();
                    rss[0] = st.rssKb();
                });
        return new Run(server.name(), round, res, cpu[1] - cpu[0], rss[0]);
    }

    /** Per workload and server: the runs pooled (ops / time, merged latency histogram). */
    record Pooled(double opsPerSecond, Histogram latency, double cpuPerKiloOp, long rssKb, long errors) {
        static Pooled of(List<Run> runs) {
            long ops = 0;
            double seconds = 0;
            double cpu = 0;
            long rss = 0;
            long errors = 0;
            Histogram h = new Histogram(3);
            for (Run r : runs) {
                ops += r.result().ops();
                seconds += r.result().seconds();
                cpu += r.cpuSeconds();
                rss = Math.max(rss, r.rssKb());
                errors += r.result().errors();
                h.add(r.result().latencyMicros());
            }
            return new Pooled(ops / seconds, h, ops == 0 ? 0 : cpu * 1000 / ops, rss, errors);
        }

        double p(double percentile) {
            return ms(latency.getValueAtPercentile(percentile));
        }

        double avg() {
            return latency.getMean() / 1000;
        }
    }

    private static List<String> table(Map<String, List<Run>> byWorkload, Settings s, long[] peakRss) {
        List<String> out = new ArrayList<>();
        String header = String.format(Locale.ROOT, "%-11s %-10s %11s %8s %8s %8s %8s %8s %11s %8s", "workload",
                "server", "ops/s", "avg ms", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "cpu s/1k op", "rss MB");
        out.add(header);
        out.add("-".repeat(header.length()));
        List<String> targets = new ArrayList<>();
        for (Map.Entry<String, List<Run>> e : byWorkload.entrySet()) {
            Pooled z = Pooled.of(e.getValue().stream().filter(r -> r.server().equals("ZooKeeper")).toList());
            Pooled n = Pooled.of(e.getValue().stream().filter(r -> r.server().equals("Ensemble")).toList());
            out.add(row(e.getKey(), "ZooKeeper", z));
            out.add(row("", "Ensemble", n));
            out.add(String.format(Locale.ROOT, "%-11s %-10s %10.2fx %7.2fx %7.2fx %7.2fx %7.2fx %7.2fx %10.2fx %7.2fx",
                    "", "E/Z", n.opsPerSecond() / z.opsPerSecond(), n.avg() / z.avg(), n.p(50) / z.p(50),
                    n.p(99) / z.p(99), n.p(99.9) / z.p(99.9), n.p(100) / z.p(100),
                    n.cpuPerKiloOp() / z.cpuPerKiloOp(), (double) n.rssKb() / z.rssKb()));
            if (z.errors() + n.errors() > 0) {
                out.add(String.format("%-11s errors: ZooKeeper %d, Ensemble %d", "", z.errors(), n.errors()));
            }
            double ratio = n.opsPerSecond() / z.opsPerSecond();
            if (e.getKey().equals("write")) {
                targets.add(target("writes/s", ratio, WRITE_TARGET));
            } else if (e.getKey().equals("read")) {
                targets.add(target("reads/s", ratio, READ_TARGET));
            }
        }
        out.add("");
        out.add(String.format(Locale.ROOT, "Peak RSS over the whole run (VmHWM, -Xmx1g both): ZooKeeper %d MB, "
                + "Ensemble %d MB (%.2fx)", peakRss[0] >> 10, peakRss[1] >> 10, (double) peakRss[1] / peakRss[0]));
        out.add("Targets (standalone here; the issue's targets are for a 3-server ensemble):");
        out.addAll(targets);
        return out;
    }

    private static String row(String workload, String server, Pooled p) {
        return String.format(Locale.ROOT, "%-11s %-10s %,11.0f %8.2f %8.2f %8.2f %8.2f %8.2f %11.3f %8d", workload,
                server, p.opsPerSecond(), p.avg(), p.p(50), p.p(99), p.p(99.9), p.p(100), p.cpuPerKiloOp(),
                p.rssKb() >> 10);
    }

    private static String target(String what, double ratio, double target) {
        return String.format(Locale.ROOT, "  %-9s Ensemble/ZooKeeper %.2fx, target >= %.1fx: %s", what, ratio, target,
                ratio >= target ? "PASS" : "BELOW");
    }

    private static void writeJson(Path file, Map<String, List<Run>> byWorkload, Settings s, int rounds,
                                  boolean forceSync, int tickTime, List<String> jvmFlags, String machine,
                                  String loadBefore, String loadAfter, long[] peakRss) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("{\n  \"machine\": ").append(str(machine))
                .append(",\n  \"loadAverageStart\": ").append(str(loadBefore))
                .append(",\n  \"loadAverageEnd\": ").append(str(loadAfter))
                .append(",\n  \"java\": ").append(str(Runtime.version().toString()))
                .append(",\n  \"settings\": {\"clients\": ").append(s.clients())
                .append(", \"outstanding\": ").append(s.outstanding())
                .append(", \"warmupSeconds\": ").append(s.warmupSeconds())
                .append(", \"seconds\": ").append(s.seconds())
                .append(", \"valueSize\": ").append(s.valueSize())
                .append(", \"keys\": ").append(s.keys())
                .append(", \"readPercent\": ").append(s.readPercent())
                .append(", \"rounds\": ").append(rounds)
                .append(", \"forceSync\": ").append(forceSync)
                .append(", \"tickTime\": ").append(tickTime)
                .append(", \"serverJvmFlags\": ").append(str(String.join(" ", jvmFlags)))
                .append("},\n  \"peakRssMB\": {\"zookeeper\": ").append(peakRss[0] >> 10)
                .append(", \"ensemble\": ").append(peakRss[1] >> 10).append("},\n  \"workloads\": [");
        String sep = "\n";
        for (Map.Entry<String, List<Run>> e : byWorkload.entrySet()) {
            b.append(sep).append("    {\"workload\": ").append(str(e.getKey()));
            for (String server : List.of("ZooKeeper", "Ensemble")) {
                Pooled p = Pooled.of(e.getValue().stream().filter(r -> r.server().equals(server)).toList());
                b.append(String.format(Locale.ROOT, ", \"%s\": {\"opsPerSecond\": %.1f, \"avgMs\": %.3f, "
                                + "\"p50Ms\": %.3f, \"p99Ms\": %.3f, \"p999Ms\": %.3f, \"maxMs\": %.3f, "
                                + "\"cpuSecondsPer1kOps\": %.4f, \"rssMB\": %d, \"errors\": %d, \"runsOpsPerSecond\": %s}",
                        server.toLowerCase(Locale.ROOT), p.opsPerSecond(), p.avg(), p.p(50), p.p(99), p.p(99.9),
                        p.p(100), p.cpuPerKiloOp(), p.rssKb() >> 10, p.errors(),
                        e.getValue().stream().filter(r -> r.server().equals(server))
                                .map(r -> String.format(Locale.ROOT, "%.1f", r.result().opsPerSecond()))
                                .toList()));
            }
            b.append('}');
            sep = ",\n";
        }
        b.append("\n  ]\n}\n");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    }

    private static String str(String v) {
        return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    private static String prop(String key, String def) {
        String v = System.getProperty(key);
        return v == null || v.isBlank() ? def : v;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException ignored) {
            // not Linux
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown host";
        }
        return String.format("%s, %d CPUs (%s), %d GB RAM, Java %s", host, Runtime.getRuntime().availableProcessors(),
                cpu, memoryGb(), Runtime.version());
    }

    private static long memoryGb() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0L) >> 20;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static void quiet(String name, Level level) {
        Logger l = Logger.getLogger(name);
        l.setLevel(level);
        QUIET.add(l);
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
