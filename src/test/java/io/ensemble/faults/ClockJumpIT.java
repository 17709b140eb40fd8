package io.ensemble.faults;

import io.ensemble.checker.Checker;
import io.ensemble.fault.WallClock;
import io.ensemble.testing.Clients;
import io.ensemble.testing.ConsoleWatch;
import io.ensemble.testing.EnsembleCluster;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Wall-clock jumps of hours, forwards and back, on the leader and on a follower while recording clients write: no
 * timer of the server may run on the wall clock. Each server reads its wall clock only through
 * {@link WallClock}, armed here with an offset file per server that the test rewrites (the machine's own clock
 * must not move: other things run on it). Proven: no session expires (the workers keep their sessions, an idle
 * session's ephemeral survives), no election happens (same leader, same epoch, no "elected" line on any console),
 * writes continue after every jump, the jump took effect (the mtime of a znode written after a leader jump, the
 * connection time a follower reports after its jump, both move by the offset), and the {@link Checker} accepts the
 * history against every replica.
 */
class ClockJumpIT {
    private static final Duration START = Duration.ofSeconds(90);
    private static final int SESSION_TIMEOUT = 4000;
    private static final long HOUR = 3_600_000L;
    /** Longer than the session timeout and syncLimit x tickTime: a timer on the wall clock would have fired. */
    private static final Duration HOLD = Duration.ofSeconds(FaultScale.NIGHTLY ? 15 : 6);
    /** How far a time stamp may be from "now plus the offset": a loaded machine, seconds at worst. */
    private static final long SLACK = 60_000;
    private static final Pattern EST = Pattern.compile("sid=0x([0-9a-f]+),.*?est=(\\d+)");

    /** Static, so that it outlives the test method: the consoles are printed after a failure. */
    @TempDir
    static Path dir;
    @RegisterExtension
    final FaultEnsemble ensemble = new FaultEnsemble("ClockJumpIT");
    private EnsembleCluster cluster;
    private final Map<Integer, Path> clocks = new HashMap<>();

    @Test
    void wallClockJumpsOfHoursMoveTimeStampsButNoTimer() throws Exception {
        EnsembleCluster.Builder builder = EnsembleCluster.builder(dir).voters(3);
        for (int id = 1; id <= 3; id++) {
            clocks.put(id, dir.resolve("clock-offset-" + id));
            builder.jvmFlags(id, "-Densemble.wallClockOffsetFile=" + clocks.get(id));
        }
        cluster = ensemble.start(builder, START);
        int leader = cluster.leader();
        int follower = cluster.ids().stream().filter(id -> id != leader).min(Integer::compare).orElseThrow();
        List<ConsoleWatch> elections = new ArrayList<>();
        for (int id : cluster.ids()) {
            elections.add(ConsoleWatch.fromNow(cluster.console(id)));
        }

        ZooKeeper idle = Clients.connect(cluster.connectString(follower), SESSION_TIMEOUT);
        AtomicBoolean idleExpired = new AtomicBoolean();
        idle.register(e -> idleExpired.compareAndSet(false, e.getState() == Watcher.Event.KeeperState.Expired));
        idle.create("/idle", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        idle.create("/probe", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        await("the leader has the write").atMost(START).until(() -> epoch(leader) > 0);
        long epoch = epoch(leader); // of the leader's last zxid: known once it has proposed something

        int workers = 4;
        RecordedLoad load = RecordedLoad.startOnFreshRoot(LoadPlan.churning("/clock", SESSION_TIMEOUT),
                cluster.connectString(), workers);
        try {
            load.awaitAcks(System.nanoTime(), 40, START);
            long[][] jumps = FaultScale.NIGHTLY
                    ? new long[][] {{leader, 3 * HOUR}, {follower, 5 * HOUR}, {leader, -4 * HOUR},
                            {follower, -7 * HOUR}, {leader, 26 * HOUR}, {follower, -30 * HOUR}, {leader, 0},
                            {follower, 0}}
                    : new long[][] {{leader, 3 * HOUR}, {follower, 5 * HOUR}, {leader, -4 * HOUR},
                            {follower, -7 * HOUR}};
            for (long[] jump : jumps) {
                int id = (int) jump[0];
                setOffset(id, jump[1]);
                ensemble.faultInjected();
                if (id == leader) {
                    assertMtimeFollows(idle, idleExpired, jump[1]);
                } else {
                    assertConnectionTimeFollows(id, jump[1]);
                }
                load.awaitAcks(System.nanoTime(), 30, START);
                String expected = "leader " + leader + ", epoch " + epoch + ", idle session expired false";
                AtomicReference<String> seen = new AtomicReference<>();
                try {
                    await().during(HOLD).atMost(HOLD.plusSeconds(30)).pollInterval(Duration.ofMillis(200))
                            .until(() -> {
                                seen.set("leader " + cluster.leader() + ", epoch " + epoch(leader)
                                        + ", idle session expired " + idleExpired.get());
                                return seen.get().equals(expected);
                            });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("after server " + id + " jumped " + jump[1] / HOUR + " h, expected "
                            + expected + " for " + HOLD + ", saw " + seen.get(), e);
                }
                System.out.printf("ClockJumpIT: server %d's clock moved to %+d h: leader %d, epoch %d, sessions kept%n",
                        id, jump[1] / HOUR, leader, epoch);
            }
            load.awaitAcks(System.nanoTime(), 30, START);
        } finally {
            load.stop();
        }
        assertThat(load.tally().sessionsOpened.sum()).as("sessions the recording workers needed").isEqualTo(workers);
        assertThat(idleExpired).as("the idle session expired").isFalse();
        assertThat(idle.exists("/idle", false)).as("the idle session's ephemeral").isNotNull();
        idle.close();
        for (ConsoleWatch w : elections) {
            assertThat(w.nextLineContaining(" elected ")).as("an election after the first").isNull();
        }
        assertThat(cluster.leader()).isEqualTo(leader);
        assertThat(epoch(leader)).isEqualTo(epoch);
        ensemble.check(load.history(), START);
    }

    /** Moves server {@code id}'s wall clock to the system clock plus {@code millis}, atomically (no half file). */
    private void setOffset(int id, long millis) throws Exception {
        Path file = clocks.get(id);
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, Long.toString(millis));
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A write's mtime is the leader's clock: once the hook re-read its file, it is now plus the offset. */
    private static void assertMtimeFollows(ZooKeeper zk, AtomicBoolean expired, long offset) {
        await("the leader's mtime moves by " + offset / HOUR + " h").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100)).failFast("the idle session expired", expired::get)
                .ignoreException(org.apache.zookeeper.KeeperException.ConnectionLossException.class).until(() -> {
                    Stat stat = zk.setData("/probe", Long.toString(offset).getBytes(), -1);
                    return Math.abs(stat.getMtime() - (System.currentTimeMillis() + offset)) < SLACK;
                });
    }

    /** A follower stamps a new connection with its own clock ({@code cons} est=): now plus the offset. */
    private void assertConnectionTimeFollows(int id, long offset) {
        await("server " + id + "'s connection time moves by " + offset / HOUR + " h").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    try (ZooKeeper zk = Clients.connect(cluster.connectString(id), SESSION_TIMEOUT)) {
                        String mine = Long.toHexString(zk.getSessionId());
                        Matcher m = EST.matcher(cluster.server(id).fourLetterWord("cons"));
                        while (m.find()) {
                            if (m.group(1).equals(mine)) {
                                long est = Long.parseLong(m.group(2));
                                return Math.abs(est - (System.currentTimeMillis() + offset)) < SLACK;
                            }
                        }
                        return false;
                    }
                });
    }

    /** The epoch of the server's last zxid (its high 32 bits). */
    private long epoch(int id) {
        return cluster.server(id).zxid() >>> 32;
    }
}
