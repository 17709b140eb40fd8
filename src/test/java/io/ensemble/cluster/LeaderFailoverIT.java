package io.ensemble.cluster;

import io.ensemble.testing.Clients;
import io.ensemble.testing.ConsolesOnFailure;
import io.ensemble.testing.EnsembleCluster;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code kill -9} of the leader of 3 real server JVMs while clients write through all three: a new leader, no lost
 * or reordered acknowledged write on any server, and the old leader back as a follower that catches up by DIFF.
 * Also prints how long the ensemble takes from the kill to the first acknowledged write.
 */
class LeaderFailoverIT {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration FAILOVER = Duration.ofSeconds(30);
    /** Writers, and the pace of each: 4 x 25/s keeps kill-to-rejoin well inside the leader's 500-txn window. */
    private static final int WRITERS = 4;
    private static final int WRITES_PER_SECOND_EACH = 25;

    @TempDir
    static Path dir;
    static EnsembleCluster cluster;

    @RegisterExtension
    final ConsolesOnFailure consolesOnFailure = new ConsolesOnFailure(() -> cluster, 80);

    @BeforeAll
    static void start() throws Exception {
        // Sessions outlive a failover (the default maximum, 20 ticks = 4 s, is about one election plus a client
        // back-off); the writers recreate their session if it expires anyway.
        cluster = EnsembleCluster.builder(dir).voters(3).set("maxSessionTimeout", "30000").build();
        cluster.startAll();
        cluster.awaitServing(START);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Every test starts from all three serving (one leader, two followers). */
    @BeforeEach
    void allThreeServing() throws Exception {
        for (int id : cluster.ids()) {
            if (cluster.server(id) == null || !cluster.server(id).isAlive()) {
                cluster.start(id);
            }
        }
        cluster.awaitServing(START);
        assertThat(cluster.ids().stream().map(cluster::mode).sorted().toList())
                .containsExactly("follower", "follower", "leader");
    }

    @Test
    void killOfTheLeaderUnderLoadLosesAndReordersNoAcknowledgedWrite() throws Exception {
        String root = "/failover";
        createAll(root, WRITERS);
        List<Writer> writers = startWriters(root, WRITERS);
        try {
            awaitAcks(writers, 20, Long.MIN_VALUE);

            int oldLeader = cluster.leader();
            long killedAt = System.nanoTime();
            cluster.kill9(oldLeader);
            int newLeader = await("a new leader").atMost(FAILOVER).pollInterval(Duration.ofMillis(50))
                    .until(cluster::leader, l -> l > 0 && l != oldLeader);
            // Every writer gets writes acknowledged that it issued after the kill: the load went through the
            // failover, and the ensemble serves writes again.
            awaitAcks(writers, 10, killedAt);
            System.out.printf("failover under load: leader %d killed, new leader %d, first write after %d ms%n",
                    oldLeader, newLeader, firstAckIssuedAfter(writers, killedAt) / 1_000_000);

            // The old leader comes back (the load still running) as a follower, synced incrementally.
            int mark = consoleLines(oldLeader);
            cluster.start(oldLeader);
            cluster.awaitServing(START);
            assertThat(cluster.mode(oldLeader)).isEqualTo("follower");
            assertThat(cluster.leader()).isEqualTo(newLeader);
            awaitAcks(writers, 10, System.nanoTime());
            String sync = syncLine(oldLeader, mark);
            System.out.println("old leader " + oldLeader + " rejoined: " + sync);
            // DIFF, or TRUNC when it had logged a proposal no follower got before it died (then what follows is
            // sent as a diff too): either way incremental, from the leader's window, not a whole snapshot.
            assertThat(sync).as("how the old leader synced").contains("syncing with leader " + newLeader + " by ")
                    .containsAnyOf(" by DIFF ", " by TRUNC ").doesNotContain(" by SNAP ");
        } finally {
            stopWriters(writers);
        }
        for (Writer w : writers) {
            System.out.printf("writer %d: %d creates and %d setData acknowledged, %d in doubt%n", w.index,
                    w.ackedPaths.size(), w.ackedVersions.size(), w.inDoubt);
            assertThat(w.unexpected).as("writer %d's unexpected errors", w.index).isEmpty();
            assertThat(w.ackedPaths).as("writer %d's acknowledged creates", w.index).isNotEmpty();
            // one session's creates are acknowledged in the order they were applied: increasing sequence numbers
            assertThat(w.ackedPaths.stream().map(LeaderFailoverIT::sequence).toList())
                    .as("writer %d's acknowledged sequence numbers", w.index).isSorted().doesNotHaveDuplicates();
            // one session's setData calls are acknowledged in the order they were applied: increasing versions
            assertThat(w.ackedVersions).as("writer %d's acknowledged versions", w.index).isSorted()
                    .doesNotHaveDuplicates();
        }

        // Every acknowledged write is on every server, in the order it was acknowledged.
        List<String> reference = null;
        for (int id : cluster.ids()) {
            try (ZooKeeper zk = Clients.connect(cluster.connectString(id), 30_000)) {
                sync(zk, root);
                List<String> children = zk.getChildren(root + "/seq", false);
                Collections.sort(children);
                for (Writer w : writers) {
                    List<String> acked = w.ackedPaths.stream().map(p -> p.substring(p.lastIndexOf('/') + 1)).toList();
                    assertThat(children).as("server %d has writer %d's acknowledged creates", id, w.index)
                            .containsAll(acked);
                    Stat stat = new Stat();
                    long value = Long.parseLong(new String(zk.getData(w.ownNode, false, stat), StandardCharsets.UTF_8));
                    assertThat(value).as("server %d: %s (last acknowledged %d)", id, w.ownNode, w.lastAckedValue)
                            .isGreaterThanOrEqualTo(w.lastAckedValue);
                    assertThat(stat.getVersion()).as("server %d: version of %s", id, w.ownNode)
                            .isGreaterThanOrEqualTo(w.lastAckedVersion);
                }
                // The same data everywhere, the old leader's (possibly truncated) tail included.
                if (reference == null) {
                    reference = children;
                } else {
                    assertThat(children).as("children of %s/seq on server %d", root, id).isEqualTo(reference);
                }
            }
        }
        Map<Integer, String> nodeCounts = new TreeMap<>();
        await("the same node count on every server").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            cluster.ids().forEach(id -> nodeCounts.put(id, cluster.server(id).srvr("Node count")));
            assertThat(nodeCounts.values().stream().distinct().toList()).as("node counts %s", nodeCounts)
                    .hasSize(1);
        });
    }

    @Test
    void failoverTimeFromKillToFirstAcknowledgedWrite() throws Exception {
        String root = "/timing";
        createAll(root, 2);
        List<Long> samples = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            List<Writer> writers = startWriters(root, 2);
            try {
                awaitAcks(writers, 5, Long.MIN_VALUE);
                int oldLeader = cluster.leader();
                assertThat(oldLeader).isPositive();
                long killedAt = System.nanoTime();
                cluster.kill9(oldLeader);
                await("a write issued after the kill of leader " + oldLeader + " is acknowledged").atMost(FAILOVER)
                        .pollInterval(Duration.ofMillis(10))
                        .until(() -> firstAckIssuedAfter(writers, killedAt) >= 0);
                samples.add(firstAckIssuedAfter(writers, killedAt) / 1_000_000);
                int newLeader = cluster.leader();
                assertThat(newLeader).as("leader after round %d", round).isPositive().isNotEqualTo(oldLeader);

                int mark = consoleLines(oldLeader);
                cluster.start(oldLeader);
                cluster.awaitServing(START);
                assertThat(cluster.mode(oldLeader)).as("restarted old leader %d", oldLeader).isEqualTo("follower");
                assertThat(syncLine(oldLeader, mark)).doesNotContain(" by SNAP ");
            } finally {
                stopWriters(writers);
            }
            for (Writer w : writers) {
                assertThat(w.unexpected).as("round %d writer %d's unexpected errors", round, w.index).isEmpty();
            }
        }
        List<Long> sorted = samples.stream().sorted().toList();
        System.out.println("FAILOVER kill->first write ms: median=" + sorted.get(sorted.size() / 2)
                + " samples=" + samples);
    }

    // ---- load ----

    /**
     * A client thread of its own session through all three servers, paced, alternating a sequential create under
     * {@code root/seq} and a setData of an increasing counter to its own node {@code root/w<i>}. It records what
     * the server acknowledged; a write that failed with connection loss is in doubt and not recorded.
     */
    static final class Writer implements Runnable {
        final int index;
        final String root;
        final String ownNode;
        final List<String> ackedPaths = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> ackedVersions = Collections.synchronizedList(new ArrayList<>());
        /** (issued, acknowledged) System.nanoTime() of every acknowledged write. */
        final List<long[]> acks = Collections.synchronizedList(new ArrayList<>());
        final List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
        volatile int inDoubt;
        volatile long lastAckedValue = -1;
        volatile int lastAckedVersion = -1;
        volatile boolean stopped;
        Thread thread;

        Writer(int index, String root) {
            this.index = index;
            this.root = root;
            this.ownNode = root + "/w" + index;
        }

        @Override
        public void run() {
            long period = 1_000_000_000L / WRITES_PER_SECOND_EACH;
            long next = System.nanoTime();
            long value = 0;
            ZooKeeper zk = null;
            try {
                while (!stopped) {
                    if (zk == null) {
                        zk = new ZooKeeper(cluster.connectString(), 30_000, e -> { });
                    }
                    long now = System.nanoTime();
                    if (next > now) {
                        LockSupport.parkNanos(next - now); // pacing the load, not waiting for a condition
                    }
                    next = Math.max(next + period, System.nanoTime());
                    long issued = System.nanoTime();
                    try {
                        if (value % 2 == 0) {
                            String path = zk.create(root + "/seq/w" + index + "-", new byte[0],
                                    ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
                            ackedPaths.add(path);
                            value++;
                        } else {
                            long v = value++;
                            Stat stat = zk.setData(ownNode, Long.toString(v).getBytes(StandardCharsets.UTF_8), -1);
                            lastAckedValue = v;
                            lastAckedVersion = stat.getVersion();
                            ackedVersions.add(stat.getVersion());
                        }
                        acks.add(new long[] {issued, System.nanoTime()});
                    } catch (KeeperException.ConnectionLossException | KeeperException.OperationTimeoutException e) {
                        value++; // in doubt: may or may not have been applied; never reuse its value
                        inDoubt++;
                    } catch (KeeperException.SessionExpiredException e) {
                        value++;
                        inDoubt++;
                        zk.close();
                        zk = null;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                unexpected.add(t);
            } finally {
                if (zk != null) {
                    try {
                        zk.close();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }

        long acksIssuedAfter(long t) {
            synchronized (acks) {
                return acks.stream().filter(a -> a[0] > t).count();
            }
        }
    }

    private static List<Writer> startWriters(String root, int n) {
        List<Writer> writers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Writer w = new Writer(i, root);
            w.thread = Thread.ofPlatform().name("writer-" + i).daemon().start(w);
            writers.add(w);
        }
        return writers;
    }

    private static void stopWriters(List<Writer> writers) throws InterruptedException {
        writers.forEach(w -> w.stopped = true);
        for (Writer w : writers) {
            w.thread.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(w.thread.isAlive()).as("writer %d stopped", w.index).isFalse();
        }
    }

    /** Waits until every writer has {@code n} acknowledged writes issued after {@code since}. */
    private static void awaitAcks(List<Writer> writers, int n, long since) {
        await(n + " acknowledged writes per writer").atMost(FAILOVER).pollInterval(Duration.ofMillis(20))
                .until(() -> writers.stream().allMatch(w -> w.acksIssuedAfter(since) >= n
                        || !w.unexpected.isEmpty()));
        writers.forEach(w -> assertThat(w.unexpected).as("writer %d's unexpected errors", w.index).isEmpty());
    }

    /** Nanoseconds from {@code t} to the first acknowledgement of a write issued after it, or -1. */
    private static long firstAckIssuedAfter(List<Writer> writers, long t) {
        long first = Long.MAX_VALUE;
        for (Writer w : writers) {
            synchronized (w.acks) {
                for (long[] a : w.acks) {
                    if (a[0] > t) {
                        first = Math.min(first, a[1]);
                    }
                }
            }
        }
        return first == Long.MAX_VALUE ? -1 : first - t;
    }

    // ---- helpers ----

    private static void createAll(String root, int writers) throws Exception {
        try (ZooKeeper zk = Clients.connect(cluster.connectString(), 30_000)) {
            zk.create(root, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create(root + "/seq", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            for (int i = 0; i < writers; i++) {
                zk.create(root + "/w" + i, "-1".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
            }
        }
    }

    private static int sequence(String name) {
        return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
    }

    private static void sync(ZooKeeper zk, String path) throws Exception {
        CompletableFuture<Integer> synced = new CompletableFuture<>();
        zk.sync(path, (rc, p, ctx) -> synced.complete(rc), null);
        assertThat(synced.get(30, TimeUnit.SECONDS)).as("sync rc").isEqualTo(KeeperException.Code.OK.intValue());
    }


    private static int consoleLines(int id) throws IOException {
        return Files.readAllLines(cluster.console(id), StandardCharsets.UTF_8).size();
    }

    /** The sync line the server logged after console line {@code mark} (its latest start), or "". */
    private static String syncLine(int id, int mark) throws IOException {
        List<String> lines = Files.readAllLines(cluster.console(id), StandardCharsets.UTF_8);
        return lines.subList(Math.min(mark, lines.size()), lines.size()).stream()
                .filter(l -> l.contains("quorum: syncing with leader")).reduce((a, b) -> b).orElse("");
    }
}
