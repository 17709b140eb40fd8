package io.ensemble.bench;

import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Did a change make Ensemble faster? Starts two 3-server ensembles, one from a baseline jar and one from this build,
 * and loads both <em>at the same moment</em> with the same workload, each with its own load generator, so both see
 * the same machine: on a shared VM whose speed moves twofold within seconds, runs taken one after the other (even
 * A B B A) cannot tell a 5% change from noise, while two systems loaded together move together. Loaded together,
 * both compete for the same CPUs, so the ratio shows which build does more with the CPU it gets, not the speed of
 * either alone. Pointing both at the same jar shows how closely the two sides agree (within about 3% here). With
 * {@code -Dbench.baselineJar=zookeeper} the baseline is Apache ZooKeeper, on the same settings as in
 * {@link SideBySideBenchmark} (the test classpath of the {@code bench} profile has what its servers need).
 *
 * <p>Not a test. Run: {@code ./mvnw -B -q -DskipTests package}, keep a copy of {@code target/ensemble.jar} and
 * {@code target/libs} as the baseline, change and rebuild, then
 * {@code java -Dbench.baselineJar=<copy> -cp <test classpath> io.ensemble.bench.BuildVersusBuildBenchmark}; knobs: bench.workload ({@code write@1}), bench.clients (12),
 * bench.outstanding (64, for a workload without {@code @N}), bench.warmup (10 s), bench.seconds (60 s),
 * bench.serverJvmFlags ({@code -Xmx1g}), ensemble.jar (this build's jar).
 */
public final class BuildVersusBuildBenchmark {

    /** The baseline that is not a jar: Apache ZooKeeper's servers, as in {@link SideBySideBenchmark}. */
    private static final String ZOOKEEPER = "zookeeper";

    private BuildVersusBuildBenchmark() {
    }

    /** One side: its servers, its load generator, what it measured and the servers' CPU meanwhile. */
    private record Side(String name, BenchCluster cluster, LoadGenerator generator) {
    }

    private record Measured(LoadGenerator.Result result, double cpuSeconds) {
    }

    public static void main(String[] args) throws Exception {
        Logger.getLogger("org.apache.zookeeper").setLevel(Level.SEVERE);
        String baselineProp = System.getProperty("bench.baselineJar", "");
        boolean zooKeeper = baselineProp.equals(ZOOKEEPER);
        if (!zooKeeper && !Files.isRegularFile(Path.of(baselineProp))) {
            System.err.println("Name the baseline with -Dbench.baselineJar=<path to an ensemble.jar> (or "
                    + ZOOKEEPER + " for Apache ZooKeeper from the test classpath)");
            System.exit(2);
        }
        Path baseline = zooKeeper ? null : Path.of(baselineProp);
        Path candidate = BenchServer.locateEnsembleJar();
        if (!Files.isRegularFile(candidate)) {
            System.err.println("No Ensemble jar at " + candidate + ": build it first (./mvnw -B -DskipTests package)");
            System.exit(2);
        }
        String[] spec = System.getProperty("bench.workload", "write@1").split("@");
        LoadGenerator.Workload workload = LoadGenerator.Workload.of(spec[0]);
        int outstanding = spec.length > 1 ? Integer.parseInt(spec[1]) : Integer.getInteger("bench.outstanding", 64);
        LoadGenerator.Settings settings = new LoadGenerator.Settings(Integer.getInteger("bench.clients", 12),
                outstanding, Integer.getInteger("bench.warmup", 10), Integer.getInteger("bench.seconds", 60),
                Long.MAX_VALUE, 1024, 1000, 80, 1000, 0, "wire");
        List<String> jvmFlags = new ArrayList<>(Arrays.asList(
                System.getProperty("bench.serverJvmFlags", "-Xmx1g").trim().split("\\s+")));
        jvmFlags.add("-Djava.net.preferIPv4Stack=true");

        Path root = Files.createTempDirectory("build-versus-build-");
        List<Side> sides = new ArrayList<>();
        boolean ok = false;
        try {
            sides.add(side("baseline", zooKeeper, baseline, root, jvmFlags, settings));
            sides.add(side("this build", false, candidate, root, jvmFlags, settings));
            for (Side s : sides) {
                s.cluster().start();
            }
            for (Side s : sides) {
                s.cluster().awaitReady();
                s.generator().prepare(s.cluster().connectStrings());
            }
            System.out.printf(Locale.ROOT, "%s with %d clients x %d outstanding, %d s warm-up, %d s measured, both "
                            + "at once%n  baseline:   %s%n  this build: %s%n", String.join("@", spec),
                    settings.clients(), outstanding, settings.warmupSeconds(), settings.seconds(),
                    zooKeeper ? "Apache ZooKeeper (test classpath)" : baseline, candidate);
            Measured a;
            Measured b;
            // a thread each: the common pool may have a single thread here, which would run them one after the other
            try (ExecutorService both = Executors.newFixedThreadPool(2)) {
                Future<Measured> first = both.submit(() -> measure(sides.get(0), workload, outstanding));
                Future<Measured> second = both.submit(() -> measure(sides.get(1), workload, outstanding));
                a = first.get();
                b = second.get();
            }
            print("baseline", a);
            print("this build", b);
            Histogram ha = a.result().latencyMicros();
            Histogram hb = b.result().latencyMicros();
            System.out.printf(Locale.ROOT, "this build / baseline: ops/s %.2fx, p50 %.2fx, p99 %.2fx, p99.9 %.2fx, "
                            + "server CPU per op %.2fx%n", b.result().opsPerSecond() / a.result().opsPerSecond(),
                    ratio(hb, ha, 50), ratio(hb, ha, 99), ratio(hb, ha, 99.9),
                    cpuPerOp(b) / cpuPerOp(a));
            ok = true;
        } finally {
            sides.forEach(s -> s.cluster().close());
            if (ok) {
                BenchFiles.deleteRecursively(root);
            } else {
                System.err.println("Failed: server logs kept in " + root + " (*/server*/console.log)");
            }
        }
    }

    private static Side side(String name, boolean zooKeeper, Path jar, Path root, List<String> jvmFlags,
                             LoadGenerator.Settings s) throws Exception {
        BenchServer.Config config = new BenchServer.Config(2000, true, 10, 5, jvmFlags, jar);
        Path dir = Files.createDirectories(root.resolve(name.replace(' ', '-')));
        return new Side(name, BenchCluster.create(zooKeeper, dir, 3, config), new LoadGenerator(s));
    }

    private static Measured measure(Side side, LoadGenerator.Workload workload, int outstanding) {
        double[] cpu = new double[2];
        try {
            LoadGenerator.Result r = side.generator().run(side.cluster().connectStrings(), workload, outstanding,
                    new LoadGenerator.Probe() {
                        @Override
                        public void start() {
                            cpu[0] = side.cluster().cpuSeconds();
                        }

                        @Override
                        public void end() {
                            cpu[1] = side.cluster().cpuSeconds();
                        }
                    });
            if (r.firstError() != null) {
                throw new IllegalStateException(side.name() + ": " + r.errors() + " errors, first " + r.firstError());
            }
            return new Measured(r, cpu[1] - cpu[0]);
        } catch (Exception e) {
            throw new IllegalStateException(side.name() + " failed: " + e, e);
        }
    }

    private static void print(String name, Measured m) {
        Histogram h = m.result().latencyMicros();
        System.out.printf(Locale.ROOT, "  %-10s %,9.0f ops/s  p50 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  server CPU "
                        + "%.3f ms per op%n", name, m.result().opsPerSecond(), h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, cpuPerOp(m));
    }

    private static double cpuPerOp(Measured m) {
        return m.result().ops() == 0 ? Double.NaN : m.cpuSeconds() * 1000 / m.result().ops();
    }

    private static double ratio(Histogram b, Histogram a, double percentile) {
        return (double) b.getValueAtPercentile(percentile) / a.getValueAtPercentile(percentile);
    }
}
