package io.ensemble.bench;

import io.ensemble.testing.EnsembleCluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Does adding observers slow writes? Runs the same write workload against the voters of a 3-voter ensemble with and
 * without {@code bench.observers} (2) observers, alternately (A B A B) so drift cancels, and prints ops/s, p99 and
 * the ratio. Not a test. Run: {@code ./mvnw -B -q -DskipTests package && java -cp <test classpath>
 * io.ensemble.bench.ObserverCostBenchmark} (or from an IDE); knobs: bench.seconds (8), bench.rounds (2),
 * bench.observers (2).
 */
public final class ObserverCostBenchmark {
    private ObserverCostBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Logger.getLogger("org.apache.zookeeper").setLevel(Level.SEVERE);
        int seconds = Integer.getInteger("bench.seconds", 8);
        int rounds = Integer.getInteger("bench.rounds", 2);
        int observers = Integer.getInteger("bench.observers", 2);
        LoadGenerator.Settings s = new LoadGenerator.Settings(12, 64, 2, seconds, 10_000_000, 1024, 1000, 80, 0, 0,
                "wire");
        List<double[]> without = new ArrayList<>();
        List<double[]> with = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            without.add(measure(s, 0));
            with.add(measure(s, observers));
        }
        for (int i = 0; i < rounds; i++) {
            System.out.printf(Locale.ROOT, "round %d: 3 voters %,.0f ops/s p99 %.1f ms | 3 voters + %d observers "
                    + "%,.0f ops/s p99 %.1f ms%n", i + 1, without.get(i)[0], without.get(i)[1], observers,
                    with.get(i)[0], with.get(i)[1]);
        }
        double a = without.stream().mapToDouble(r -> r[0]).average().orElse(0);
        double b = with.stream().mapToDouble(r -> r[0]).average().orElse(0);
        System.out.printf(Locale.ROOT, "OBSERVERS writes/s with %d observers / without: %.2fx (%,.0f vs %,.0f)%n",
                observers, b / a, b, a);
    }

    /** ops/s and p99 ms of the write workload, clients on the voters only. */
    private static double[] measure(LoadGenerator.Settings s, int observers) throws Exception {
        Path dir = Files.createTempDirectory("observer-bench");
        try (EnsembleCluster cluster = EnsembleCluster.builder(dir).voters(3).observers(observers)
                .set("tickTime", "2000").set("forceSync", "yes").set("globalOutstandingLimit", "1000")
                .set("maxClientCnxns", "0").set("snapCount", "100000").build()) {
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
