package io.ensemble.storage;

import io.ensemble.testing.Clients;
import io.ensemble.server.EnsembleServer;
import io.ensemble.session.SessionTracker;
import io.ensemble.tree.DataTree;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ensemble.storage.StorageTestSupport.MAX_ENTRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Autopurge and the manual purge tool on the files a real server wrote with a small snapCount. */
class PurgerTest {
    @TempDir
    static Path shared;

    /** The data a server left: many snapshots and log files. */
    static Path original;
    static Map<String, StorageTestSupport.Node> expected;
    static long lastZxid;

    @BeforeAll
    static void writeData() throws Exception {
        original = shared.resolve("original");
        EnsembleServer server = new EnsembleServer(StorageTestSupport.snapshotEvery20(original));
        server.start();
        try {
            ZooKeeper zk = Clients.connect(server.clientPort(), 4000);
            try {
                for (int i = 0; i < 300; i++) {
                    zk.create("/n" + i, ("v" + i).getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    if (i % 3 == 0) {
                        zk.setData("/n" + i, null, -1);
                    }
                    if (i % 5 == 0 && i > 0) {
                        zk.delete("/n" + (i - 1), -1);
                    }
                }
                Path snaps = server.storage().snapDir();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> LogFiles.list(snaps, LogFiles.SNAP_PREFIX).size() >= 10);
                // let an in-flight background snapshot finish before the files are copied
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    try (var s = Files.list(snaps)) {
                        return s.noneMatch(p -> p.toString().endsWith(".tmp"));
                    }
                });
            } finally {
                zk.close();
            }
        } finally {
            server.close();
        }
        SessionTracker sessions = StorageTestSupport.newSessions();
        DataTree tree = new DataTree();
        try (DataDirs dirs = DataDirs.open(original, original)) {
            lastZxid = Recovery.recover(dirs, tree, sessions, MAX_ENTRY);
        }
        expected = StorageTestSupport.dump(tree);
    }

    private static Path copy(Path to) throws IOException {
        StorageTestSupport.copyDir(original.resolve(LogFiles.VERSION_DIR), to.resolve(LogFiles.VERSION_DIR));
        return to;
    }

    /** What a correct purge keeping n snapshots leaves: the newest n snapshots and the logs from the one
     * holding the oldest kept snapshot's zxid + 1. */
    private static List<String> expectedAfterPurge(Path version, int keep) throws IOException {
        List<LogFiles.Named> snaps = LogFiles.list(version, LogFiles.SNAP_PREFIX);
        List<LogFiles.Named> kept = snaps.subList(Math.max(0, snaps.size() - keep), snaps.size());
        long oldest = kept.get(0).zxid();
        List<LogFiles.Named> logs = LogFiles.list(version, LogFiles.LOG_PREFIX);
        long firstLog = logs.get(0).zxid();
        for (LogFiles.Named l : logs) {
            if (l.zxid() <= oldest + 1) {
                firstLog = l.zxid();
            }
        }
        List<String> out = new ArrayList<>();
        for (LogFiles.Named s : kept) {
            out.add(s.path().getFileName().toString());
        }
        for (LogFiles.Named l : logs) {
            if (l.zxid() >= firstLog) {
                out.add(l.path().getFileName().toString());
            }
        }
        return out;
    }

    static List<String> names(Path version) throws IOException {
        List<String> out = new ArrayList<>();
        for (LogFiles.Named s : LogFiles.list(version, LogFiles.SNAP_PREFIX)) {
            out.add(s.path().getFileName().toString());
        }
        for (LogFiles.Named l : LogFiles.list(version, LogFiles.LOG_PREFIX)) {
            out.add(l.path().getFileName().toString());
        }
        return out;
    }

    static void assertRecovers(Path dataDir) {
        DataTree tree = new DataTree();
        try (DataDirs dirs = DataDirs.open(dataDir, dataDir)) {
            assertThat(Recovery.recover(dirs, tree, StorageTestSupport.newSessions(), MAX_ENTRY)).isEqualTo(lastZxid);
        }
        assertThat(StorageTestSupport.dump(tree)).isEqualTo(expected);
    }

    @Test
    void keepsTheNewestSnapshotsAndTheLogsTheyNeed() throws IOException {
        Path dir = copy(shared.resolve("keep5"));
        Path version = dir.resolve(LogFiles.VERSION_DIR);
        int snapsBefore = LogFiles.list(version, LogFiles.SNAP_PREFIX).size();
        int logsBefore = LogFiles.list(version, LogFiles.LOG_PREFIX).size();
        assertThat(snapsBefore).isGreaterThanOrEqualTo(10);
        List<String> expectedNames = expectedAfterPurge(version, 5);

        List<Path> deleted = Purger.purge(version, version, 5);

        assertThat(names(version)).containsExactlyInAnyOrderElementsOf(expectedNames);
        assertThat(LogFiles.list(version, LogFiles.SNAP_PREFIX)).hasSize(5);
        assertThat(LogFiles.list(version, LogFiles.LOG_PREFIX).size()).isLessThan(logsBefore);
        assertThat(deleted).hasSize(snapsBefore + logsBefore - expectedNames.size());
        assertRecovers(dir);
        // a second purge has nothing more to delete
        assertThat(Purger.purge(version, version, 5)).isEmpty();
    }

    @Test
    void retainBelowThreeKeepsThree() throws IOException {
        Path dir = copy(shared.resolve("keep1"));
        Path version = dir.resolve(LogFiles.VERSION_DIR);
        List<String> expectedNames = expectedAfterPurge(version, 3);

        Purger.purge(version, version, 1);

        assertThat(names(version)).containsExactlyInAnyOrderElementsOf(expectedNames);
        assertThat(LogFiles.list(version, LogFiles.SNAP_PREFIX)).hasSize(3);
        assertRecovers(dir);
    }

    @Test
    void theOldestKeptSnapshotStillRecoversWhenTheNewerOnesAreDamaged() throws IOException {
        Path dir = copy(shared.resolve("damaged"));
        Path version = dir.resolve(LogFiles.VERSION_DIR);
        Purger.purge(version, version, 3);
        List<LogFiles.Named> snaps = LogFiles.list(version, LogFiles.SNAP_PREFIX);
        StorageTestSupport.truncate(snaps.get(2).path(), 10);
        StorageTestSupport.truncate(snaps.get(1).path(), 10);
        assertRecovers(dir);
    }

    @Test
    void fewerSnapshotsThanRetainedDeletesNothing() throws IOException {
        Path dir = copy(shared.resolve("few"));
        Path version = dir.resolve(LogFiles.VERSION_DIR);
        List<String> before = names(version);
        assertThat(Purger.purge(version, version, 1000)).isEmpty();
        assertThat(names(version)).isEqualTo(before);
    }

    @Test
    void purgeToolWithDataDirAndCount() throws IOException {
        Path dir = copy(shared.resolve("tool"));
        Path version = dir.resolve(LogFiles.VERSION_DIR);
        List<String> expectedNames = expectedAfterPurge(version, 4);
        Out out = new Out();
        assertThat(PurgeTool.run(new String[] {dir.toString(), "-n", "4"}, out.out, out.err)).as(out.toString())
                .isZero();
        assertThat(names(version)).containsExactlyInAnyOrderElementsOf(expectedNames);
        assertThat(out.stdout()).contains("Removed").contains("snapshot.").contains("log.");
        assertRecovers(dir);
    }

    @Test
    void purgeToolWithSeparateLogDir() throws IOException {
        Path snapDir = shared.resolve("split-snaps");
        Path logDir = shared.resolve("split-logs");
        Files.createDirectories(snapDir.resolve(LogFiles.VERSION_DIR));
        Files.createDirectories(logDir.resolve(LogFiles.VERSION_DIR));
        for (LogFiles.Named s : LogFiles.list(original.resolve(LogFiles.VERSION_DIR), LogFiles.SNAP_PREFIX)) {
            Files.copy(s.path(), snapDir.resolve(LogFiles.VERSION_DIR).resolve(s.path().getFileName()));
        }
        for (LogFiles.Named l : LogFiles.list(original.resolve(LogFiles.VERSION_DIR), LogFiles.LOG_PREFIX)) {
            Files.copy(l.path(), logDir.resolve(LogFiles.VERSION_DIR).resolve(l.path().getFileName()));
        }
        List<String> expectedNames = expectedAfterPurge(original.resolve(LogFiles.VERSION_DIR), 3);
        Out out = new Out();
        assertThat(PurgeTool.run(new String[] {snapDir.toString(), logDir.toString(), "-n", "3"}, out.out, out.err))
                .as(out.toString()).isZero();
        List<String> left = new ArrayList<>(names(snapDir.resolve(LogFiles.VERSION_DIR)));
        left.addAll(names(logDir.resolve(LogFiles.VERSION_DIR)));
        assertThat(left).containsExactlyInAnyOrderElementsOf(expectedNames);
    }

    @Test
    void purgeToolReadsAZooCfg() throws IOException {
        Path dir = copy(shared.resolve("cfg"));
        Path version = dir.resolve(LogFiles.VERSION_DIR);
        List<String> expectedNames = expectedAfterPurge(version, 6);
        Path cfg = Files.writeString(shared.resolve("zoo-cfg.cfg"), "tickTime=2000\ndataDir=" + dir
                + " \nautopurge.snapRetainCount=6\n");
        Out out = new Out();
        assertThat(PurgeTool.run(new String[] {cfg.toString()}, out.out, out.err)).as(out.toString()).isZero();
        assertThat(names(version)).containsExactlyInAnyOrderElementsOf(expectedNames);
        // -n wins over the config's count
        List<String> three = expectedAfterPurge(version, 3);
        assertThat(PurgeTool.run(new String[] {cfg.toString(), "-n", "3"}, out.out, out.err)).isZero();
        assertThat(names(version)).containsExactlyInAnyOrderElementsOf(three);
    }

    @Test
    void purgeToolRefusesBadArguments() throws IOException {
        Out out = new Out();
        assertThat(PurgeTool.run(new String[] {}, out.out, out.err)).isEqualTo(2);
        assertThat(out.stderr()).contains("Usage");
        assertThat(PurgeTool.run(new String[] {"x", "-n"}, out.out, out.err)).isEqualTo(2);
        assertThat(PurgeTool.run(new String[] {"x", "-n", "many"}, out.out, out.err)).isEqualTo(2);
        assertThat(PurgeTool.run(new String[] {"x", "-q"}, out.out, out.err)).isEqualTo(2);
        Out missing = new Out();
        assertThat(PurgeTool.run(new String[] {shared.resolve("nope").toString(), "-n", "3"}, missing.out,
                missing.err)).isEqualTo(1);
        assertThat(missing.stderr()).contains("nope").contains("not a directory");
        Path empty = Files.createDirectories(shared.resolve("empty-dir"));
        Out noVersion = new Out();
        assertThat(PurgeTool.run(new String[] {empty.toString()}, noVersion.out, noVersion.err)).isEqualTo(1);
        assertThat(noVersion.stderr()).contains("version-2");
    }

    @Test
    void purgeToolWithCountBelowThreeKeepsThree() throws IOException {
        Path dir = copy(shared.resolve("tool1"));
        Path version = dir.resolve(LogFiles.VERSION_DIR);
        List<String> expectedNames = expectedAfterPurge(version, 3);
        Out out = new Out();
        assertThat(PurgeTool.run(new String[] {version.toString(), "-n", "1"}, out.out, out.err)).isZero();
        assertThat(out.stderr()).contains("minimum");
        assertThat(names(version)).containsExactlyInAnyOrderElementsOf(expectedNames);
    }

    private static final class Out {
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        final ByteArrayOutputStream e = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(e, true, StandardCharsets.UTF_8);

        String stdout() {
            return o.toString(StandardCharsets.UTF_8);
        }

        String stderr() {
            return e.toString(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return stdout() + stderr();
        }
    }
}
