package io.ensemble.bench;

import io.ensemble.testing.EnsembleCluster;

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
 * I/O priority ({@code nice -n 19 ionice -c 3}), in rotation (A B C A B C) so drift cancels, and prints ops/s, p99 and
 * the ratios. On a machine with fewer cores than servers the observers' own fsyncs and applies compete with the
 * voters for CPU and disk; the low-priority run takes most of that sharing out and leaves what the protocol costs
 * the leader (one more queue entry per commit: the INFORM is encoded once for all learners). Not a test. Run:
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
        LOW_PRIORITY_OBSERVERS("3 voters + low-priority observers");

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
                System.out.printf(Locale.ROOT, "round %d: %-34s %,8.0f ops/s  p99 %6.1f ms%n", round + 1,
                        setup.label, r[0], r[1]);
            }
        }
        double base = average(results.get(Setup.NO_OBSERVERS));
        for (Setup setup : List.of(Setup.OBSERVERS, Setup.LOW_PRIORITY_OBSERVERS)) {
            double v = average(results.get(setup));
            System.out.printf(Locale.ROOT, "OBSERVERS writes/s %s (%d) / %s: %.2fx (%,.0f vs %,.0f)%n", setup.label,
                    observers, Setup.NO_OBSERVERS.label, v / base, v, base);
        }
    }

    private static double average(List<double[]> runs) {
        return runs.stream().mapToDouble(r -> r[0]).average().orElse(0);
    }

    /** ops/s and p99 ms of the write workload, clients on the voters only. */
    private static double[] measure(LoadGenerator.Settings s, Setup setup, int observers) throws Exception {
        Path dir = Files.createTempDirectory("observer-bench");
        int count = setup == Setup.NO_OBSERVERS ? 0 : observers;
        EnsembleCluster.Builder builder = EnsembleCluster.builder(dir).voters(3).observers(count)
                .set("tickTime", "2000").set("forceSync", "yes").set("globalOutstandingLimit", "1000")
                .set("maxClientCnxns", "0").set("snapCount", "100000");
        if (setup == Setup.LOW_PRIORITY_OBSERVERS) {
            for (int id = 4; id < 4 + count; id++) {
                builder.launchPrefix(id, LOW_PRIORITY);
            }
        }
        try (EnsembleCluster cluster = builder.build()) {
            cluster.startAll();
            cluster.awaitServing(Duration.ofSeconds(120));
            List<String> voters = new ArrayList<>();
            for (int id = 1; id <= 3; id++) {
                voters.add(cluster.connectString(id));
            }
            LoadGenerator gen = new LoadGenerator(s);
            gen.prepare(voters);
            LoadGenerator.Result r = gen.run(voters, LoadGenerator.Workload.of("write"), s.outstanding(),
                    new LoadGenerator.Probe() {
                        @Override
                        public void start() {
                        }

                        @Override
                        public void end() {
                        }
                    });
            return new double[] {r.opsPerSecond(), r.latencyMicros().getValueAtPercentile(99) / 1000.0};
        }
    }
}
