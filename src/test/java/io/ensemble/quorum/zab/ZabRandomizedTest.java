package io.ensemble.quorum.zab;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property: across any schedule of deliveries, fsyncs, ticks, proposals, elections, partitions, crashes and
 * restarts, every transaction a leader committed stays committed, in the same order, on every server that
 * finishes sync ({@link CommitLedger} checks this after every step). After the faults end, the ensemble recovers
 * and every server holds exactly the committed sequence. Each schedule is a seed, so a failure replays exactly.
 */
class ZabRandomizedTest {

    private static final int STEPS = 600;
    /** Schedules per suite; raise it ({@code -Dzab.seeds=5000}) for a longer hunt. */
    private static final int SEEDS = Integer.getInteger("zab.seeds", 150);

    @TestFactory
    Stream<DynamicTest> threeVoters() {
        return seeds(1, SEEDS).mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed,
                () -> run(seed, Set.of(1L, 2L, 3L), Set.of(), 500)));
    }

    @TestFactory
    Stream<DynamicTest> fiveVotersAndAnObserverWithASmallWindow() {
        return seeds(100_000, SEEDS * 2 / 3).mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed,
                () -> run(seed, Set.of(1L, 2L, 3L, 4L, 5L), Set.of(6L), 4)));
    }

    private static LongStream seeds(long from, int count) {
        return LongStream.range(from, from + count);
    }

    private static void run(long seed, Set<Long> voters, Set<Long> observers, int window) {
        Random random = new Random(seed);
        SimCluster c = new SimCluster(voters, observers, 4, 3, window);
        List<Long> ids = c.servers().stream().map(s -> s.id).toList();
        for (int step = 0; step < STEPS; step++) {
            SimServer s = c.server(ids.get(random.nextInt(ids.size())));
            int dice = random.nextInt(100);
            if (dice < 50) {
                c.deliverOne(random);
            } else if (dice < 62) {
                c.fsync(s.id);
            } else if (dice < 76) {
                c.propose(s.id);
            } else if (dice < 81) {
                c.tickAll();
            } else if (dice < 83) {
                c.tick(s.id);
            } else if (dice < 90) {
                c.elect(random);
            } else if (dice < 91) {
                if (s.up && c.servers().stream().filter(x -> x.up).count() > 1) {
                    c.crash(s.id);
                }
            } else if (dice < 94) {
                if (!s.up) {
                    c.restart(s.id);
                }
            } else if (dice < 96) {
                Set<Long> side = new HashSet<>();
                ids.forEach(id -> {
                    if (random.nextBoolean()) {
                        side.add(id);
                    }
                });
                c.partition(side);
            } else if (dice < 99) {
                c.heal();
            } else if (s.learner != null && s.serving) {
                int cxid = step;
                c.act(s.id, x -> x.learner.sync(x.id, cxid, "/k"));
            }
        }
        recover(c, seed);
    }

    /** Ends the faults and checks that the ensemble converges on the committed sequence. */
    private static void recover(SimCluster c, long seed) {
        c.heal();
        c.servers().stream().filter(s -> !s.up).forEach(s -> c.restart(s.id));
        for (int round = 0; round < 200; round++) {
            c.elect(null);
            c.stabilize();
            List<SimServer> leaders = c.servers().stream().filter(s -> s.leader != null).toList();
            if (leaders.size() == 1 && leaders.getFirst().leader.isEstablished()
                    && c.servers().stream().allMatch(s -> s.serving)) {
                c.propose(leaders.getFirst().id);
                c.stabilize();
                for (SimServer s : c.servers()) {
                    assertThat(CommitLedger.zxids(s.tree)).as("seed %d server %d", seed, s.id)
                            .isEqualTo(CommitLedger.zxids(c.committed()));
                }
                return;
            }
            if (round % 50 == 49 && leaders.size() == 1) {
                // A server that accepted an epoch a failed discovery proposed refuses the established, lower epoch
                // and cannot join until the leader changes (ZooKeeper behaves the same); restarting it makes the
                // next election choose an epoch above every accepted one.
                c.crash(leaders.getFirst().id);
                c.restart(leaders.getFirst().id);
            }
            c.tickAll();
        }
        throw new AssertionError("seed " + seed + ": no recovery; " + c.servers());
    }
}
