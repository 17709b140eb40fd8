package io.ensemble.faults;

import io.ensemble.checker.Checker;
import io.ensemble.storage.Storage;
import io.ensemble.testing.Clients;
import io.ensemble.testing.ConsoleWatch;
import io.ensemble.testing.EnsembleCluster;
import io.ensemble.testing.LogAudit;
import io.ensemble.testing.TmpfsMount;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A follower's disk fills up for real: its dataDir is a small tmpfs, filled with a filler file to a few MB, and
 * writes go on until its transaction log gets ENOSPC. As ZooKeeper does, it must give up rather than go on with a
 * log it cannot extend (it exits: a server must never ACK what it could not make durable) while the other two keep
 * serving writes. Once the filler is deleted it restarts from its own files (a torn tail is cut, nothing refuses to
 * start), catches up and converges: the recorded history passes the {@link Checker} against every replica, and the
 * three servers' logs agree zxid by zxid.
 *
 * <p>Mounting needs root or CAP_SYS_ADMIN (the CI container has it); without it the test fails saying so.
 */
class DiskFullIT {
    private static final Duration START = Duration.ofSeconds(90);
    private static final int SESSION_TIMEOUT = 15_000;
    private static final int FULL = 1;
    private static final int TMPFS_MB = 24;
    private static final long LEFT_FREE = 3L << 20;
    private static final int ROUNDS = FaultScale.rounds(1, 3);

    /** Static, so that it outlives the test method: the consoles are printed after a failure. */
    @TempDir
    static Path dir;
    @RegisterExtension
    final FaultEnsemble ensemble = new FaultEnsemble("DiskFullIT");
    private EnsembleCluster cluster;
    private TmpfsMount disk;

    @Test
    void aFollowerWhoseDiskFillsStopsThenRecoversFromItsOwnFilesAndConverges() throws Exception {
        cluster = ensemble.build(FaultEnsemble.threeServers(dir));
        disk = TmpfsMount.mount(cluster.dataDir(FULL), TMPFS_MB);
        ensemble.closeAfterServers(disk);
        Files.writeString(cluster.dataDir(FULL).resolve("myid"), FULL + "\n"); // the mount hid the one build wrote
        ensemble.startServing(START);
        assertThat(cluster.mode(FULL)).as("server %d (on the small disk) of a fresh ensemble", FULL)
                .isEqualTo("follower");
        try (ZooKeeper zk = Clients.connect(cluster.connectString(), SESSION_TIMEOUT)) {
            zk.create("/fill", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        RecordedLoad load = RecordedLoad.startOnFreshRoot(LoadPlan.churning("/disk", SESSION_TIMEOUT),
                cluster.connectString(), 4);
        try {
            load.awaitAcks(System.nanoTime(), 40, START);
            for (int round = 0; round < ROUNDS; round++) {
                fillUpRestart(load, round);
            }
            load.awaitAcks(System.nanoTime(), 40, START);
        } finally {
            load.stop();
        }
        ensemble.check(load.history(), START);

        cluster.close(); // logs are audited at rest
        Map<Integer, Map<Long, byte[]>> logs = new TreeMap<>();
        for (int id : cluster.ids()) {
            logs.put(id, LogAudit.read(cluster.dataDir(id), Storage.maxEntryBytes(0xfffff)));
        }
        assertThat(LogAudit.conflicts(logs)).as("zxids logged differently").isEmpty();
    }

    /** Fills the small disk, writes until the server on it gives up, checks the rest serve, frees it, restarts. */
    private void fillUpRestart(RecordedLoad load, int round) throws Exception {
        Path filler = disk.fillLeaving(LEFT_FREE);
        System.out.printf("DiskFullIT: round %d, %,d bytes free on server %d's disk%n", round, disk.usableBytes(),
                FULL);
        ConsoleWatch watch = ConsoleWatch.fromNow(cluster.console(FULL));
        long written = writeUntilStopped(round);
        String why = watch.awaitLine("Cannot write the transaction log", Duration.ofSeconds(10));
        int exit = cluster.server(FULL).awaitExit(Duration.ofSeconds(60));
        ensemble.faultInjected();
        System.out.printf("DiskFullIT: server %d exited with %d after %,d bulk writes: %s%n", FULL, exit, written,
                why.substring(why.indexOf("Cannot")));
        assertThat(why).contains("No space left on device");
        assertThat(exit).as("exit code of the server whose log failed").isEqualTo(3);

        load.awaitAcks(System.nanoTime(), 60, START); // two of three: still a quorum
        assertThat(cluster.ids().stream().filter(id -> id != FULL).map(cluster::mode).sorted().toList())
                .as("the other two").containsExactly("follower", "leader");

        Files.delete(filler);
        watch = ConsoleWatch.fromNow(cluster.console(FULL));
        cluster.start(FULL);
        String recovered = watch.awaitLine("Recovered ", START);
        System.out.println("DiskFullIT: server " + FULL + " restarted: " + recovered.substring(
                recovered.indexOf("Recovered")));
        cluster.server(FULL).awaitServing();
        cluster.awaitServing(START);
        assertThat(cluster.mode(FULL)).isEqualTo("follower");
    }

    /**
     * 8 KB creates through the leader, 16 in flight, until the server on the small disk stops; all of them must be
     * acknowledged (the leader and the other follower are a quorum). Returns how many were written.
     */
    private long writeUntilStopped(int round) throws Exception {
        int leader = cluster.leader();
        byte[] data = new byte[8192];
        Semaphore window = new Semaphore(16);
        AtomicLong failures = new AtomicLong();
        AtomicLong done = new AtomicLong();
        long sent = 0;
        try (ZooKeeper zk = Clients.connect(cluster.connectString(leader), SESSION_TIMEOUT)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (cluster.server(FULL).isAlive() && System.nanoTime() < deadline) {
                window.acquire();
                zk.create("/fill/r" + round + "-", data, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT_SEQUENTIAL, (rc, p, ctx, name) -> {
                            if (rc != KeeperException.Code.OK.intValue()) {
                                failures.incrementAndGet();
                            }
                            done.incrementAndGet();
                            window.release();
                        }, null);
                sent++;
            }
            long total = sent;
            await("bulk writes answered").atMost(START).until(() -> done.get() == total);
        }
        assertThat(failures.get()).as("bulk writes that failed with a quorum up").isZero();
        return sent;
    }
}
