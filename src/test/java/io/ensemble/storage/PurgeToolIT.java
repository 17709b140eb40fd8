package io.ensemble.storage;

import io.ensemble.testing.Clients;
import io.ensemble.server.EnsembleServer;
import io.ensemble.tree.DataTree;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static io.ensemble.storage.StorageTestSupport.MAX_ENTRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the real {@code bin/zkCleanup.sh} as a process against the packaged jar, on the directories a stopped
 * server left. An integration test (failsafe, after {@code package}).
 */
class PurgeToolIT {
    /** The project (bin/ and target/); -Densemble.home points it at another checkout or a build with -Dbuild.dir. */
    private final Path home = Path.of(System.getProperty("ensemble.home", System.getProperty("basedir", "")))
            .toAbsolutePath();
    private final Path script = home.resolve("bin/zkCleanup.sh");

    @TempDir
    Path dir;

    private Path dataDir;
    private Path version;
    private Map<String, StorageTestSupport.Node> expected;
    private long lastZxid;

    @BeforeEach
    void serverLeavesFiles() throws Exception {
        Path jar = home.resolve("target/ensemble.jar");
        assumeTrue(Files.isRegularFile(jar), "target/ensemble.jar is missing: run after `./mvnw package`");
        try (JarFile j = new JarFile(jar.toFile())) {
            assumeTrue(j.getEntry("io/ensemble/storage/PurgeTool.class") != null, "the jar predates PurgeTool");
        }
        dataDir = dir.resolve("data");
        EnsembleServer server = new EnsembleServer(StorageTestSupport.snapshotEvery20(dataDir));
        server.start();
        try {
            ZooKeeper zk = Clients.connect(server.clientPort(), 4000);
            try {
                // A snapshot every 20 transactions, but one that finds the last still running is skipped (as
                // ZooKeeper's "too busy to snap"): on a loaded machine keep writing until there are enough.
                Path snaps = server.storage().snapDir();
                for (int i = 0; i < 200 || (LogFiles.list(snaps, LogFiles.SNAP_PREFIX).size() < 7 && i < 5000); i++) {
                    zk.create("/n" + i, ("v" + i).getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                }
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> LogFiles.list(snaps, LogFiles.SNAP_PREFIX).size() >= 7);
            } finally {
                zk.close();
            }
        } finally {
            server.close();
        }
        version = dataDir.resolve(LogFiles.VERSION_DIR);
        DataTree tree = new DataTree();
        try (DataDirs dirs = DataDirs.open(dataDir, dataDir)) {
            lastZxid = Recovery.recover(dirs, tree, StorageTestSupport.newSessions(), MAX_ENTRY);
        }
        expected = StorageTestSupport.dump(tree);
    }

    private record Result(int exit, String output) {
    }

    private Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile());
        pb.environment().put("ZOOCFGDIR", dir.resolve("conf").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private List<String> expectedNames(int keep) throws IOException {
        List<LogFiles.Named> snaps = LogFiles.list(version, LogFiles.SNAP_PREFIX);
        List<LogFiles.Named> kept = snaps.subList(snaps.size() - keep, snaps.size());
        long oldest = kept.get(0).zxid();
        List<LogFiles.Named> logs = LogFiles.list(version, LogFiles.LOG_PREFIX);
        long first = logs.get(0).zxid();
        for (LogFiles.Named l : logs) {
            if (l.zxid() <= oldest + 1) {
                first = l.zxid();
            }
        }
        List<String> out = new ArrayList<>();
        kept.forEach(s -> out.add(s.path().getFileName().toString()));
        for (LogFiles.Named l : logs) {
            if (l.zxid() >= first) {
                out.add(l.path().getFileName().toString());
            }
        }
        return out;
    }

    private void assertRecovers() {
        DataTree tree = new DataTree();
        try (DataDirs dirs = DataDirs.open(dataDir, dataDir)) {
            assertThat(Recovery.recover(dirs, tree, StorageTestSupport.newSessions(), MAX_ENTRY)).isEqualTo(lastZxid);
        }
        assertThat(StorageTestSupport.dump(tree)).isEqualTo(expected);
    }

    @Test
    void cleansADataDir() throws Exception {
        List<String> keep = expectedNames(3);
        Result r = run(dataDir.toString(), "-n", "3");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("Removed");
        assertThat(PurgerTest.names(version)).containsExactlyInAnyOrderElementsOf(keep);
        assertRecovers();
    }

    @Test
    void cleansWhatAZooCfgNames() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/zoo.cfg"), "tickTime=2000\ndataDir=" + dataDir
                + "\nautopurge.snapRetainCount=4\n");
        List<String> keep = expectedNames(4);
        Result r = run(); // conf/zoo.cfg, count from the config
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(PurgerTest.names(version)).containsExactlyInAnyOrderElementsOf(keep);
        List<String> three = expectedNames(3);
        Result named = run("zoo.cfg", "-n", "3"); // a bare name is looked up in the conf dir
        assertThat(named.exit()).as(named.output()).isZero();
        assertThat(PurgerTest.names(version)).containsExactlyInAnyOrderElementsOf(three);
        assertRecovers();
    }

    @Test
    void refusesBadArguments() throws Exception {
        Result r = run(dataDir.toString(), "-n");
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("Usage");
        Result missing = run(dir.resolve("nope").toString(), "-n", "3");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.output()).contains("nope");
    }
}
