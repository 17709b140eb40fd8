package io.ensemble.bench;

import io.ensemble.bench.LoadGenerator.Probe;
import io.ensemble.bench.LoadGenerator.Result;
import io.ensemble.bench.LoadGenerator.Settings;
import io.ensemble.bench.LoadGenerator.Workload;
import io.ensemble.testing.ServerJvm;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Side-by-side benchmark of Ensemble against Apache ZooKeeper 3.9, standalone and as a 3-server ensemble on
 * loopback, in one run; not a test (surefire and failsafe skip it).
 * <p>
 * Per mode both systems run at the same time as separate JVMs: one server each (ZooKeeper's
 * {@code ZooKeeperServerMain}), or {@code bench.ensembleSize} servers each (ZooKeeper's {@code QuorumPeerMain},
 * Ensemble's {@code io.ensemble.Main zooN.cfg}; server.N lines and dataDir/myid, as an operator runs them), with
 * the same zoo.cfg settings (tickTime, initLimit, syncLimit, forceSync, snapCount, globalOutstandingLimit,
 * maxClientCnxns=0, admin server off), fresh data directories under one parent (same disk), the same JVM flags
 * ({@code -Xmx1g}) and the JDK of this JVM. An ensemble is loaded only once one server says {@code Mode: leader}
 * and the others {@code Mode: follower}. The load generator ({@link LoadGenerator}) is the official ZooKeeper Java
 * client, async API, each session pinned to one server (client i on server i % n). Per workload the systems are
 * measured alternately, ABBA (ZooKeeper, Ensemble, Ensemble, ZooKeeper, ...), so linear machine drift cancels.
 * <p>
 * Prints a table per workload: ops/s, latency p50 / p99 / p99.9, server CPU seconds per 1,000 ops (summed over the
 * system's server processes) and peak RSS (the highest of any one server, sampled every 100 ms during the runs),
 * for each system and the ratio Ensemble/ZooKeeper, then PASS/BELOW for the issue's targets on the ensemble:
 * writes/s >= 1.5x, reads/s >= 1.2x, p99 write latency at one outstanding request <= 0.8x, peak RSS per server
 * (VmHWM over the whole mode) <= ZooKeeper's. It never fails on a ratio. The table also goes to
 * {@code <bench.json minus .json>.txt}, the figures to {@code bench.json} and a plot to {@code <...>.png}.
 * <p>
 * Run: {@code ./mvnw -B -q -Pbench -DskipTests package exec:exec}. Knobs (system properties, forwarded by the
 * profile): bench.mode (both | standalone | ensemble), bench.ensembleSize (3), bench.workloads
 * (write,read,mix,churn,write@1,read@1,mix@1,churn@1,watch,sessions; {@code @N} runs a request workload with N
 * outstanding per client), bench.clients (12), bench.outstanding (64), bench.warmup (4 s), bench.seconds (10 s
 * measured; the sessions workload holds its sessions idle this long), bench.maxOps (10,000,000 per run),
 * bench.valueSize (1024 bytes), bench.keys (1000 znodes), bench.readPercent (80, for mix), bench.watchers (1000),
 * bench.sessions (10000), bench.sessionClient (wire | official), bench.rounds (2 runs per system per workload),
 * bench.forceSync (true), bench.tickTime (2000), bench.initLimit (10), bench.syncLimit (5), bench.serverJvmFlags
 * ("-Xmx1g"), bench.dir (java.io.tmpdir), bench.keep (false: true keeps the servers' directories and console logs),
 * bench.json (side-by-side.json in the build directory), ensemble.jar.
 */
public final class SideBySideBenchmark {
    private static final List<Logger> QUIET = new ArrayList<>();
    private static final String DEFAULT_WORKLOADS = "write,read,mix,churn,write@1,read@1,mix@1,churn@1,watch,sessions";
    private static final List<String> SYSTEMS = List.of("ZooKeeper", "Ensemble");

    /** One measured run plus the system's CPU and memory over it; {@code extra} holds workload-specific figures. */
    record Run(String system, int round, Result result, double cpuSeconds, long peakRssKb,
               Map<String, Double> extra) {
    }

    /** All runs of one mode. */
    record ModeResult(String mode, int servers, Map<String, List<Run>> byWorkload, long[] peakRssKb,
                      long[] startupMs, int[] leaders) {
        String label() {
            return servers == 1 ? "standalone" : servers + "-server ensemble";
        }
    }

    private SideBySideBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        quiet("org.apache.zookeeper", Level.SEVERE);
        if (System.getProperty("zookeeper.sasl.client") == null) {
            System.setProperty("zookeeper.sasl.client", "false"); // no JAAS here: skip the per-session SASL probe
        }
        Settings s = new Settings(
                Integer.getInteger("bench.clients", 12),
                Integer.getInteger("bench.outstanding", 64),
                Integer.getInteger("bench.warmup", 4),
                Integer.getInteger("bench.seconds", 10),
                Long.getLong("bench.maxOps", 10_000_000L),
                Integer.getInteger("bench.valueSize", 1024),
                Integer.getInteger("bench.keys", 1000),
                Integer.getInteger("bench.readPercent", 80),
                Integer.getInteger("bench.watchers", 1000),
                Integer.getInteger("bench.sessions", 10_000),
                prop("bench.sessionClient", "wire"));
        int rounds = Integer.getInteger("bench.rounds", 2);
        boolean forceSync = Boolean.parseBoolean(prop("bench.forceSync", "true"));
        int tickTime = Integer.getInteger("bench.tickTime", 2000);
        int initLimit = Integer.getInteger("bench.initLimit", 10);
        int syncLimit = Integer.getInteger("bench.syncLimit", 5);
        int ensembleSize = Integer.getInteger("bench.ensembleSize", 3);
        List<String> modes = modes(prop("bench.mode", "both"));
        List<String> jvmFlags = new ArrayList<>(
                Arrays.asList(prop("bench.serverJvmFlags", "-Xmx1g").trim().split("\\s+")));
        jvmFlags.add("-Djava.net.preferIPv4Stack=true");
        List<String> workloads = Stream.of(prop("bench.workloads", DEFAULT_WORKLOADS).split(","))
                .map(String::trim).filter(w -> !w.isEmpty()).toList();
        workloads.forEach(w -> Workload.of(w.split("@")[0])); // fail fast on a typo
        Path jar = BenchServer.locateEnsembleJar();
        if (!Files.isRegularFile(jar)) {
            System.err.println("No Ensemble jar at " + jar + ": build it first (./mvnw -B -DskipTests package) "
                    + "or name it with -Densemble.jar=...");
            System.exit(2);
        }
        Path base = Path.of(prop("bench.dir", System.getProperty("java.io.tmpdir")));
        Path root = Files.createTempDirectory(base, "side-by-side-");
        Path json = Path.of(prop("bench.json", jar.getParent().resolve("side-by-side.json").toString()));
        String stem = json.getFileName().toString().replaceFirst("\\.json$", "");
        Path txt = json.resolveSibling(stem + ".txt");
        Path png = json.resolveSibling(stem + ".png");
        BenchServer.Config config = new BenchServer.Config(tickTime, forceSync, initLimit, syncLimit, jvmFlags, jar);

        String machine = machine();
        String loadBefore = loadAverage();
        String zkVersion = org.apache.zookeeper.Version.getFullVersion().split("[ ,-]")[0];
        List<String> header = new ArrayList<>();
        header.add(String.format(Locale.ROOT, "Side-by-side benchmark: Ensemble vs Apache ZooKeeper %s on loopback; "
                + "modes %s", zkVersion, modes.stream().map(m -> m.equals("ensemble") ? ensembleSize
                + "-server ensemble" : m).toList()));
        header.add(String.format("Machine: %s; load average at start: %s", machine, loadBefore));
        header.add(String.format(Locale.ROOT, "Servers: %s %s; tickTime=%d, initLimit=%d, syncLimit=%d, forceSync=%s,"
                        + " snapCount=100000, globalOutstandingLimit=1000, maxClientCnxns=0; data under %s",
                ServerJvm.javaCommand(), String.join(" ", jvmFlags), tickTime, initLimit, syncLimit,
                forceSync ? "yes" : "no", root));
        header.add(String.format(Locale.ROOT, "Load (official ZooKeeper client, async, client i on server i %% n): "
                        + "%d clients x %d outstanding (x 1 for @1), %d-byte values, %d keys, mix %d%% reads, "
                        + "watch %d watchers, sessions %d (%s client); warm-up %d s + measured %d s (max %,d ops), "
                        + "%d rounds per system in ABBA order", s.clients(), s.outstanding(), s.valueSize(), s.keys(),
                s.readPercent(), s.watchers(), s.sessions(), s.sessionClient(), s.warmupSeconds(), s.seconds(),
                s.maxOps(), rounds));
        header.add("Workloads: " + workloads);
        header.add("Ensemble: " + jar);
        header.forEach(System.out::println);
        System.out.println();

        long started = System.nanoTime();
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<ModeResult> results = new ArrayList<>();
        for (String mode : modes) {
            int size = mode.equals("standalone") ? 1 : ensembleSize;
            results.add(runMode(mode, size, root.resolve(mode), config, s, rounds, workloads));
        }
        if (Boolean.getBoolean("bench.keep")) {
            System.out.println("Server directories (configs, data, console.log) kept in " + root);
        } else {
            BenchFiles.deleteRecursively(root);
        }
        String loadAfter = loadAverage();
        double totalSeconds = (System.nanoTime() - started) / 1e9;
        List<String> report = new ArrayList<>(header);
        report.add("");
        report.addAll(tables(results, s, workloads));
        report.add("");
        report.addAll(targets(results));
        report.add("");
        report.add(String.format(Locale.ROOT, "Load average at start: %s; at end: %s. Total time %.0f s.", loadBefore,
                loadAfter, totalSeconds));
        System.out.println();
        report.subList(header.size() + 1, report.size()).forEach(System.out::println);
        Files.createDirectories(json.toAbsolutePath().getParent());
        Files.write(txt, report, StandardCharsets.UTF_8);
        writeJson(json, results, s, rounds, forceSync, tickTime, initLimit, syncLimit, jvmFlags, machine, zkVersion,
                loadBefore, loadAfter, startedAt, totalSeconds);
        BenchPlot.render(png, "Ensemble vs Apache ZooKeeper " + zkVersion + " (" + startedAt + ")",
                machine + "; load " + loadBefore + " -> " + loadAfter, plotCells(results));
        System.out.println("Table: " + txt);
        System.out.println("JSON:  " + json);
        System.out.println("Plot:  " + png);
        System.exit(0);
    }

    private static List<String> modes(String spec) {
        List<String> out = new ArrayList<>();
        for (String m : spec.toLowerCase(Locale.ROOT).split(",")) {
            switch (m.trim()) {
                case "both", "all" -> {
                    out.add("standalone");
                    out.add("ensemble");
                }
                case "standalone" -> out.add("standalone");
                case "ensemble", "quorum" -> out.add("ensemble");
                case "" -> { }
                default -> throw new IllegalArgumentException("bench.mode: standalone, ensemble or both, not " + m);
            }
        }
        return out.stream().distinct().toList();
    }

    private static ModeResult runMode(String mode, int size, Path dir, BenchServer.Config config, Settings s,
                                      int rounds, List<String> workloads) throws Exception {
        String tag = size == 1 ? "standalone" : "ensemble-" + size;
        BenchCluster zk = BenchCluster.create(true, dir.resolve("zookeeper"), size, config);
        BenchCluster en = BenchCluster.create(false, dir.resolve("ensemble"), size, config);
        Map<String, List<Run>> byWorkload = new LinkedHashMap<>();
        long[] peakRss = new long[2];
        long[] startup = new long[2];
        int[] leaders = new int[2];
        boolean ok = false;
        try {
            zk.start();
            en.start();
            // both elect at the same time: each figure is from its own start
            java.util.concurrent.CompletableFuture<Long> zkReady = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> awaitReady(zk));
            startup[1] = en.awaitReady();
            startup[0] = zkReady.join();
            leaders[0] = zk.leader();
            leaders[1] = en.leader();
            System.out.printf(Locale.ROOT, "[%s] ZooKeeper pids %s ready after %d ms%s; Ensemble pids %s ready after "
                            + "%d ms%s%n", tag, zk.pids(), startup[0], leaders[0] > 0 ? " (leader: server "
                            + leaders[0] + ")" : "", en.pids(), startup[1],
                    leaders[1] > 0 ? " (leader: server " + leaders[1] + ")" : "");
            LoadGenerator gen = new LoadGenerator(s);
            gen.prepare(zk.connectStrings());
            gen.prepare(en.connectStrings());
            for (String spec : workloads) {
                String[] parts = spec.split("@");
                Workload w = Workload.of(parts[0]);
                int outstanding = parts.length > 1 ? Integer.parseInt(parts[1]) : s.outstanding();
                List<Run> runs = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    List<BenchCluster> order = r % 2 == 0 ? List.of(zk, en) : List.of(en, zk);
                    for (BenchCluster system : order) {
                        long t0 = System.nanoTime();
                        Run run = measure(gen, system, w, outstanding, r, s.seconds());
                        runs.add(run);
                        Result res = run.result();
                        System.out.printf(Locale.ROOT, "  [%s] %-9s round %d %-9s %,10.0f ops/s  p50 %7.2f ms  "
                                        + "p99 %8.2f ms  cpu %6.2f s  rss %5d MB  (%.0f s)%s%s%n", tag, spec, r + 1,
                                system.name(), res.opsPerSecond(), ms(res.latencyMicros().getValueAtPercentile(50)),
                                ms(res.latencyMicros().getValueAtPercentile(99)), run.cpuSeconds(),
                                run.peakRssKb() >> 10, (System.nanoTime() - t0) / 1e9, note(w, run.extra()),
                                res.errors() > 0 || res.firstError() != null
                                        ? "  errors " + res.errors() + " (" + res.firstError() + ")" : "");
                    }
                }
                byWorkload.put(spec, runs);
            }
            peakRss[0] = zk.peakRssKb();
            peakRss[1] = en.peakRssKb();
            ok = true;
        } finally {
            zk.close();
            en.close();
            if (!ok) {
                System.err.println("Failed: server logs kept in " + dir + " (*/console.log)");
            }
        }
        return new ModeResult(mode, size, byWorkload, peakRss, startup, leaders);
    }

    private static long awaitReady(BenchCluster c) {
        try {
            return c.awaitReady();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Run measure(LoadGenerator gen, BenchCluster system, Workload w, int outstanding, int round,
                               int holdSeconds) throws Exception {
        double[] cpu = new double[3];
        long[][] rss = new long[2][];
        RssSampler sampler = new RssSampler(system);
        sampler.start();
        Result res;
        try {
            res = gen.run(system.connectStrings(), w, outstanding, new Probe() {
                @Override
                public void start() {
                    cpu[0] = system.cpuSeconds();
                    rss[0] = system.rssKb();
                }

                @Override
                public void end() {
                    cpu[1] = system.cpuSeconds();
                }

                @Override
                public void idleEnd() {
                    cpu[2] = system.cpuSeconds();
                    rss[1] = system.rssKb();
                }
            });
        } finally {
            sampler.stop();
        }
        system.checkAlive();
        Map<String, Double> extra = new LinkedHashMap<>(res.extra());
        if (w == Workload.SESSIONS && rss[1] != null && res.ops() > 0) {
            long grown = 0;
            long maxGrown = Long.MIN_VALUE;
            for (int i = 0; i < rss[0].length; i++) {
                grown += rss[1][i] - rss[0][i];
                maxGrown = Math.max(maxGrown, rss[1][i] - rss[0][i]);
            }
            extra.put("rssKiBPerSession", (double) grown / res.ops());
            extra.put("maxServerRssKiBPerSession", (double) maxGrown / res.ops());
            extra.put("idleCpuSecondsPerSecond", (cpu[2] - cpu[1]) / Math.max(1, holdSeconds));
        }
        return new Run(system.name(), round, res, cpu[1] - cpu[0], sampler.maxKb(), extra);
    }

    /** Samples every server's RSS every 100 ms and keeps the highest of any one server. */
    private static final class RssSampler {
        private final BenchCluster system;
        private final Thread thread;
        private volatile boolean stop;
        private volatile long max;

        RssSampler(BenchCluster system) {
            this.system = system;
            this.thread = new Thread(this::loop, "rss-sampler");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void loop() {
            while (!stop) {
                sample();
                try {
                    Thread.sleep(100); // sampling period
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void sample() {
            for (long kb : system.rssKb()) {
                if (kb > max) {
                    max = kb;
                }
            }
        }

        void stop() throws InterruptedException {
            stop = true;
            thread.interrupt();
            thread.join();
            sample();
        }

        long maxKb() {
            return max;
        }
    }

    /** Per workload and system: the runs pooled (ops / time, merged latency histogram, extras averaged). */
    record Pooled(double opsPerSecond, Histogram latency, double cpuPerKiloOp, long peakRssKb, long errors,
                  Map<String, Double> extra) {
        static Pooled of(List<Run> runs) {
            long ops = 0;
            double seconds = 0;
            double cpu = 0;
            long rss = 0;
            long errors = 0;
            Histogram h = new Histogram(3);
            Map<String, Double> extra = new LinkedHashMap<>();
            for (Run r : runs) {
                ops += r.result().ops();
                seconds += r.result().seconds();
                cpu += r.cpuSeconds();
                rss = Math.max(rss, r.peakRssKb());
                errors += r.result().errors();
                h.add(r.result().latencyMicros());
                r.extra().forEach((k, v) -> extra.merge(k, v / runs.size(), Double::sum));
            }
            return new Pooled(seconds == 0 ? 0 : ops / seconds, h, ops == 0 ? 0 : cpu * 1000 / ops, rss, errors,
                    extra);
        }

        double p(double percentile) {
            return latency.getTotalCount() == 0 ? Double.NaN : ms(latency.getValueAtPercentile(percentile));
        }
    }

    private static Pooled pooled(List<Run> runs, String system) {
        return Pooled.of(runs.stream().filter(r -> r.system().equals(system)).toList());
    }

    private static List<String> tables(List<ModeResult> results, Settings s, List<String> workloads) {
        List<String> out = new ArrayList<>();
        String head = String.format(Locale.ROOT, "  %-19s %-10s %11s %9s %9s %9s %12s %12s  %s", "mode", "system",
                "ops/s", "p50 ms", "p99 ms", "p99.9 ms", "cpu s/1k op", "peak RSS MB", "notes");
        for (String spec : workloads) {
            String[] parts = spec.split("@");
            Workload w = Workload.of(parts[0]);
            out.add(spec + ": " + describe(w, parts.length > 1 ? Integer.parseInt(parts[1]) : s.outstanding(), s));
            out.add(head);
            out.add("  " + "-".repeat(head.length() - 2));
            for (ModeResult m : results) {
                List<Run> runs = m.byWorkload().get(spec);
                if (runs == null) {
                    continue;
                }
                Pooled z = pooled(runs, "ZooKeeper");
                Pooled n = pooled(runs, "Ensemble");
                out.add(row(m.label(), "ZooKeeper", z, w));
                out.add(row("", "Ensemble", n, w));
                out.add(String.format(Locale.ROOT, "  %-19s %-10s %10.2fx %8.2fx %8.2fx %8.2fx %11.2fx %11.2fx  %s", "",
                        "E/Z", ratio(n.opsPerSecond(), z.opsPerSecond()), ratio(n.p(50), z.p(50)),
                        ratio(n.p(99), z.p(99)), ratio(n.p(99.9), z.p(99.9)),
                        ratio(n.cpuPerKiloOp(), z.cpuPerKiloOp()), ratio(n.peakRssKb(), z.peakRssKb()),
                        w == Workload.SESSIONS ? String.format(Locale.ROOT, "RSS/session %.2fx",
                                ratio(n.extra().getOrDefault("rssKiBPerSession", Double.NaN),
                                        z.extra().getOrDefault("rssKiBPerSession", Double.NaN))) : ""));
                if (z.errors() + n.errors() > 0) {
                    out.add(String.format("  %-19s errors: ZooKeeper %d, Ensemble %d", "", z.errors(), n.errors()));
                }
            }
            out.add("");
        }
        for (ModeResult m : results) {
            out.add(String.format(Locale.ROOT, "%s: peak RSS of any one server over the whole mode (VmHWM): "
                            + "ZooKeeper %d MB, Ensemble %d MB (%.2fx); ready after ZooKeeper %d ms, Ensemble %d ms",
                    m.label(), m.peakRssKb()[0] >> 10, m.peakRssKb()[1] >> 10,
                    ratio(m.peakRssKb()[1], m.peakRssKb()[0]), m.startupMs()[0], m.startupMs()[1]));
        }
        return out;
    }

    private static String describe(Workload w, int outstanding, Settings s) {
        return switch (w) {
            case WRITE, READ, MIX, CHURN -> String.format(Locale.ROOT, "%s%s, %d-byte values; %d clients x %d "
                            + "outstanding%s (op = %s)", w.description,
                    w == Workload.MIX ? " (" + s.readPercent() + "% reads)" : "", s.valueSize(), s.clients(),
                    outstanding, outstanding == 1 ? " (latency)" : "", w.unit);
            case WATCH -> String.format(Locale.ROOT, "one setData, %d watcher sessions notified, re-armed, repeated "
                    + "(op = one notification; latency = setData call until the last watcher has its event)",
                    s.watchers());
            case SESSIONS -> String.format(Locale.ROOT, "%d idle sessions opened (%d at a time, %s client), held idle "
                    + "%d s, closed (op = one session opened; latency = connect time; cpu = while connecting; "
                    + "RSS/session = growth summed over the servers / sessions)", s.sessions(),
                    "official".equalsIgnoreCase(s.sessionClient()) ? LoadGenerator.CONNECT_WINDOW : IdleSessions.WINDOW,
                    s.sessionClient(), s.seconds());
        };
    }

    private static String row(String mode, String system, Pooled p, Workload w) {
        return String.format(Locale.ROOT, "  %-19s %-10s %,11.0f %9.2f %9.2f %9.2f %12.3f %12d  %s", mode, system,
                p.opsPerSecond(), p.p(50), p.p(99), p.p(99.9), p.cpuPerKiloOp(), p.peakRssKb() >> 10,
                note(w, p.extra()));
    }

    private static String note(Workload w, Map<String, Double> extra) {
        if (w == Workload.SESSIONS && extra.containsKey("rssKiBPerSession")) {
            return String.format(Locale.ROOT, "  RSS/session %.2f KiB (max server %.2f), idle cpu %.3f s/s",
                    extra.get("rssKiBPerSession"), extra.get("maxServerRssKiBPerSession"),
                    extra.get("idleCpuSecondsPerSecond"));
        }
        if (w == Workload.WATCH && extra.containsKey("fanOuts")) {
            return String.format(Locale.ROOT, "  %.0f fan-outs", extra.get("fanOuts"));
        }
        return "";
    }

    /** One target line; {@code higherIsBetter} says which side of the bound passes. */
    record Target(String name, double ratio, double bound, boolean higherIsBetter, String detail) {
        String status() {
            if (Double.isNaN(ratio)) {
                return "n/a";
            }
            return (higherIsBetter ? ratio >= bound : ratio <= bound) ? "PASS" : "BELOW";
        }

        String line() {
            return String.format(Locale.ROOT, "  %-36s E/Z %s, target %s %.1fx: %s%s", name,
                    Double.isNaN(ratio) ? "n/a  " : String.format(Locale.ROOT, "%.2fx", ratio),
                    higherIsBetter ? ">=" : "<=", bound, status(), detail.isEmpty() ? "" : "  (" + detail + ")");
        }
    }

    private static List<Target> targetsOf(ModeResult m) {
        List<Target> t = new ArrayList<>();
        List<Run> write = m.byWorkload().get("write");
        List<Run> read = m.byWorkload().get("read");
        List<Run> write1 = m.byWorkload().get("write@1");
        t.add(write == null ? new Target("writes/s (write)", Double.NaN, 1.5, true, "workload not run")
                : new Target("writes/s (write)", ratio(pooled(write, "Ensemble").opsPerSecond(),
                pooled(write, "ZooKeeper").opsPerSecond()), 1.5, true, ""));
        t.add(read == null ? new Target("reads/s (read)", Double.NaN, 1.2, true, "workload not run")
                : new Target("reads/s (read)", ratio(pooled(read, "Ensemble").opsPerSecond(),
                pooled(read, "ZooKeeper").opsPerSecond()), 1.2, true, ""));
        if (write1 == null) {
            t.add(new Target("p99 write latency, 1 outstanding", Double.NaN, 0.8, false, "workload write@1 not run"));
        } else {
            Pooled z = pooled(write1, "ZooKeeper");
            Pooled n = pooled(write1, "Ensemble");
            t.add(new Target("p99 write latency, 1 outstanding", ratio(n.p(99), z.p(99)), 0.8, false,
                    String.format(Locale.ROOT, "%.2f ms vs %.2f ms", n.p(99), z.p(99))));
        }
        t.add(new Target("peak RSS per server (VmHWM)", ratio(m.peakRssKb()[1], m.peakRssKb()[0]), 1.0, false,
                String.format(Locale.ROOT, "%d MB vs %d MB", m.peakRssKb()[1] >> 10, m.peakRssKb()[0] >> 10)));
        return t;
    }

    private static List<String> targets(List<ModeResult> results) {
        List<String> out = new ArrayList<>();
        for (ModeResult m : results) {
            out.add("Targets, " + m.label() + (m.servers() > 1 ? " (the issue's targets):" : " (for reference; the "
                    + "issue's targets are for the 3-server ensemble):"));
            targetsOf(m).forEach(t -> out.add(t.line()));
        }
        return out;
    }

    private static List<BenchPlot.Cell> plotCells(List<ModeResult> results) {
        List<BenchPlot.Cell> cells = new ArrayList<>();
        for (ModeResult m : results) {
            for (Map.Entry<String, List<Run>> e : m.byWorkload().entrySet()) {
                double[] ops = new double[2];
                double[][] lat = new double[2][];
                for (int i = 0; i < 2; i++) {
                    Pooled p = pooled(e.getValue(), SYSTEMS.get(i));
                    ops[i] = p.opsPerSecond();
                    lat[i] = new double[] {p.p(50), p.p(99), p.p(99.9)};
                }
                cells.add(new BenchPlot.Cell(m.label(), e.getKey(), Workload.of(e.getKey().split("@")[0]).unit + "/s",
                        ops, lat));
            }
        }
        return cells;
    }

    private static void writeJson(Path file, List<ModeResult> results, Settings s, int rounds, boolean forceSync,
                                  int tickTime, int initLimit, int syncLimit, List<String> jvmFlags, String machine,
                                  String zkVersion, String loadBefore, String loadAfter, Instant startedAt,
                                  double totalSeconds) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("{\n  \"startedAt\": ").append(str(startedAt.toString()))
                .append(",\n  \"totalSeconds\": ").append(Math.round(totalSeconds))
                .append(",\n  \"machine\": ").append(str(machine))
                .append(",\n  \"loadAverageStart\": ").append(str(loadBefore))
                .append(",\n  \"loadAverageEnd\": ").append(str(loadAfter))
                .append(",\n  \"java\": ").append(str(Runtime.version().toString()))
                .append(",\n  \"zookeeperVersion\": ").append(str(zkVersion))
                .append(",\n  \"settings\": {\"clients\": ").append(s.clients())
                .append(", \"outstanding\": ").append(s.outstanding())
                .append(", \"warmupSeconds\": ").append(s.warmupSeconds())
                .append(", \"seconds\": ").append(s.seconds())
                .append(", \"maxOps\": ").append(s.maxOps())
                .append(", \"valueSize\": ").append(s.valueSize())
                .append(", \"keys\": ").append(s.keys())
                .append(", \"readPercent\": ").append(s.readPercent())
                .append(", \"watchers\": ").append(s.watchers())
                .append(", \"sessions\": ").append(s.sessions())
                .append(", \"sessionClient\": ").append(str(s.sessionClient()))
                .append(", \"rounds\": ").append(rounds)
                .append(", \"forceSync\": ").append(forceSync)
                .append(", \"tickTime\": ").append(tickTime)
                .append(", \"initLimit\": ").append(initLimit)
                .append(", \"syncLimit\": ").append(syncLimit)
                .append(", \"serverJvmFlags\": ").append(str(String.join(" ", jvmFlags)))
                .append("},\n  \"modes\": [");
        String modeSep = "\n";
        for (ModeResult m : results) {
            b.append(modeSep).append("    {\"mode\": ").append(str(m.mode()))
                    .append(", \"servers\": ").append(m.servers())
                    .append(", \"readyMs\": {\"zookeeper\": ").append(m.startupMs()[0])
                    .append(", \"ensemble\": ").append(m.startupMs()[1]).append('}')
                    .append(", \"leader\": {\"zookeeper\": ").append(m.leaders()[0])
                    .append(", \"ensemble\": ").append(m.leaders()[1]).append('}')
                    .append(", \"peakRssPerServerMB\": {\"zookeeper\": ").append(m.peakRssKb()[0] >> 10)
                    .append(", \"ensemble\": ").append(m.peakRssKb()[1] >> 10).append('}')
                    .append(",\n     \"targets\": [");
            String sep = "";
            for (Target t : targetsOf(m)) {
                b.append(sep).append(String.format(Locale.ROOT, "{\"name\": %s, \"ratio\": %s, \"bound\": %.2f, "
                                + "\"higherIsBetter\": %s, \"status\": %s}", str(t.name()), num(t.ratio()), t.bound(),
                        t.higherIsBetter(), str(t.status())));
                sep = ", ";
            }
            b.append("],\n     \"workloads\": [");
            String wSep = "\n";
            for (Map.Entry<String, List<Run>> e : m.byWorkload().entrySet()) {
                Workload w = Workload.of(e.getKey().split("@")[0]);
                b.append(wSep).append("      {\"workload\": ").append(str(e.getKey()))
                        .append(", \"op\": ").append(str(w.unit));
                Pooled[] p = new Pooled[2];
                for (int i = 0; i < 2; i++) {
                    String system = SYSTEMS.get(i);
                    p[i] = pooled(e.getValue(), system);
                    b.append(String.format(Locale.ROOT, ",\n       \"%s\": {\"opsPerSecond\": %.1f, \"p50Ms\": %s, "
                                    + "\"p99Ms\": %s, \"p999Ms\": %s, \"maxMs\": %s, \"cpuSecondsPer1kOps\": %.4f, "
                                    + "\"peakRssMB\": %d, \"errors\": %d, \"runsOpsPerSecond\": %s%s}",
                            system.toLowerCase(Locale.ROOT), p[i].opsPerSecond(), num(p[i].p(50)), num(p[i].p(99)),
                            num(p[i].p(99.9)), num(p[i].p(100)), p[i].cpuPerKiloOp(), p[i].peakRssKb() >> 10,
                            p[i].errors(), e.getValue().stream().filter(r -> r.system().equals(system))
                                    .map(r -> String.format(Locale.ROOT, "%.1f", r.result().opsPerSecond())).toList(),
                            p[i].extra().entrySet().stream().map(x -> ", \"" + x.getKey() + "\": " + num(x.getValue()))
                                    .collect(Collectors.joining())));
                }
                b.append(String.format(Locale.ROOT, ",\n       \"ratio\": {\"opsPerSecond\": %s, \"p50\": %s, "
                                + "\"p99\": %s, \"p999\": %s, \"cpuPer1kOps\": %s, \"peakRss\": %s}}",
                        num(ratio(p[1].opsPerSecond(), p[0].opsPerSecond())), num(ratio(p[1].p(50), p[0].p(50))),
                        num(ratio(p[1].p(99), p[0].p(99))), num(ratio(p[1].p(99.9), p[0].p(99.9))),
                        num(ratio(p[1].cpuPerKiloOp(), p[0].cpuPerKiloOp())),
                        num(ratio(p[1].peakRssKb(), p[0].peakRssKb()))));
                wSep = ",\n";
            }
            b.append("]}");
            modeSep = ",\n";
        }
        b.append("\n  ]\n}\n");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    }

    private static double ratio(double a, double b) {
        return b == 0 || Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : a / b;
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
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
}
