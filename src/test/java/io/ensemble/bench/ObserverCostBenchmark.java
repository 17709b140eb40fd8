package io.ensemble.bench;

import io.ensemble.testing.EnsembleCluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Does adding observers slow writes? Runs the same write workload against the voters of a 3-voter ensemble without
 * observers, with {@code bench.observers} (2) observers, and with the same observers started at the lowest CPU and
 * I/O priority ({@code nice -n 19 ionice -c 3}), and with those low-priority observers' data in RAM, in rotation
 * (A B C D A B C D) so drift cancels, and prints ops/s, p99 and the ratios. On a machine with fewer cores than
 * servers and one disk, the observers' own fsyncs and applies compete with the voters for CPU and disk; the last
 * setup takes most of that sharing out and leaves what the protocol costs the leader (one more queue entry per
 * commit: the INFORM is encoded once for all learners), which is what a deployment with a machine per server pays. Not a test. Run:
 * {@code ./mvnw -B -q -DskipTests package && java -cp <test classpath> io.ensemble.bench.ObserverCostBenchmark};
 * knobs: bench.seconds (8), bench.rounds (2), bench.observers (2).
 */
public final class ObserverCostBenchmark {
    private static final String[] LOW_PRIORITY = {"nice", "-n", "19", "ionice", "-c", "3"};

    private ObserverCostBenchmark() {
    }

    private enum Setup {
        NO_OBSERVERS("3 voters"),
        OBSERVERS("3 voters + observers"),
        LOW_PRIORITY_OBSERVERS("3 voters + low-priority observers"),
        SEPARATE_OBSERVERS("3 voters + low-priority observers, own disk");

        final String label;

        Setup(String label) {
            this.label = label;
        }
    }

    public static void main(String[] args) throws Exception {
        Logger.getLogger("org.apache.zookeeper").setLevel(Level.SEVERE);
        int seconds = Integer.getInteger("bench.seconds", 8);
        int rounds = Integer.getInteger("bench.rounds", 2);
        int observers = Integer.getInteger("bench.observers", 2);
        LoadGenerator.Settings s = new LoadGenerator.Settings(12, 64, 2, seconds, 10_000_000, 1024, 1000, 80, 0, 0,
                "wire");
        Map<Setup, List<double[]>> results = new EnumMap<>(Setup.class);
        for (int round = 0; round < rounds; round++) {
            for (Setup setup : Setup.values()) {
                double[] r = measure(s, setup, observers);
                results.computeIfAbsent(setup, k -> new ArrayList<>()).add(r);
                System.out.printf(Locale.ROOT, "round %d: %-48s %,8.0f ops/s  p99 %6.1f ms  leader cpu %5.1f ms "
                        + "per 1,000 writes%n", round + 1, setup.label, r[0], r[1], r[2]);
            }
        }
        double base = average(results.get(Setup.NO_OBSERVERS), 0);
        double baseCpu = average(results.get(Setup.NO_OBSERVERS), 2);
        for (Setup setup : List.of(Setup.OBSERVERS, Setup.LOW_PRIORITY_OBSERVERS, Setup.SEPARATE_OBSERVERS)) {
            double v = average(results.get(setup), 0);
            double cpu = average(results.get(setup), 2);
            System.out.printf(Locale.ROOT, "OBSERVERS %s (%d) / %s: writes/s %.2fx (%,.0f vs %,.0f), leader CPU per "
                    + "write %.2fx (%.1f vs %.1f ms per 1,000)%n", setup.label, observers, Setup.NO_OBSERVERS.label,
                    v / base, v, base, cpu / baseCpu, cpu, baseCpu);
        }
    }

    private static double average(List<double[]> runs, int field) {
        return runs.stream().mapToDouble(r -> r[field]).average().orElse(0);
    }

    /** ops/s, p99 ms and the leader's CPU ms per 1,000 writes of the write workload, clients on the voters only. */
    private static double[] measure(LoadGenerator.Settings s, Setup setup, int observers) throws Exception {
        Path dir = Files.createTempDirectory("observer-bench");
        int count = setup == Setup.NO_OBSERVERS ? 0 : observers;
        EnsembleCluster.Builder builder = EnsembleCluster.builder(dir).voters(3).observers(count)
                .set("tickTime", "2000").set("forceSync", "yes").set("globalOutstandingLimit", "1000")
                .set("maxClientCnxns", "0").set("snapCount", "100000");
        if (setup == Setup.LOW_PRIORITY_OBSERVERS || setup == Setup.SEPARATE_OBSERVERS) {
            for (int id = 4; id < 4 + count; id++) {
                builder.launchPrefix(id, LOW_PRIORITY);
            }
        }
        List<Path> ramDirs = new ArrayList<>();
        try (EnsembleCluster cluster = builder.build()) {
            if (setup == Setup.SEPARATE_OBSERVERS) {
                for (int id = 4; id < 4 + count; id++) {
                    ramDirs.add(moveToRam(cluster.dataDir(id)));
                }
            }
            cluster.startAll();
            cluster.awaitServing(Duration.ofSeconds(120));
            List<String> voters = new ArrayList<>();
            for (int id = 1; id <= 3; id++) {
                voters.add(cluster.connectString(id));
            }
            LoadGenerator gen = new LoadGenerator(s);
            gen.prepare(voters);
            long leaderPid = cluster.server(cluster.leader()).pid();
            double[] leaderCpu = new double[2];
            LoadGenerator.Result r = gen.run(voters, LoadGenerator.Workload.of("write"), s.outstanding(),
                    new LoadGenerator.Probe() {
                        @Override
                        public void start() {
                            leaderCpu[0] = BenchServer.procStats(leaderPid).cpuSeconds();
                        }

                        @Override
                        public void end() {
                            leaderCpu[1] = BenchServer.procStats(leaderPid).cpuSeconds();
                        }
                    });
            double cpuMsPerThousand = r.ops() == 0 ? 0 : (leaderCpu[1] - leaderCpu[0]) * 1_000_000 / r.ops();
            return new double[] {r.opsPerSecond(), r.latencyMicros().getValueAtPercentile(99) / 1000.0,
                    cpuMsPerThousand};
        } finally {
            for (Path ram : ramDirs) {
                BenchFiles.deleteRecursively(ram);
            }
        }
    }

    /**
     * Puts a server's data directory in RAM ({@code /dev/shm}, behind a symbolic link at the same path): its log
     * and its fsyncs no longer queue on the disk the voters share with it, as on a machine of its own. ionice
     * cannot do that here: the disks use the "none" I/O scheduler, which ignores I/O priorities.
     */
    private static Path moveToRam(Path dataDir) throws IOException {
        Path ram = Files.createTempDirectory(Path.of("/dev/shm"), "observer-");
        try (var files = Files.list(dataDir)) {
            for (Path f : files.toList()) {
                Files.move(f, ram.resolve(f.getFileName()));
            }
        }
        Files.delete(dataDir);
        Files.createSymbolicLink(dataDir, ram);
        return ram;
    }
}
