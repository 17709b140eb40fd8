package io.ensemble.storage;

import io.ensemble.testing.LogCapture;
import io.ensemble.config.ServerConfig;
import io.ensemble.server.EnsembleServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The data directories: created, checked, locked, and a warning for /tmp. */
class DataDirsTest {
    @TempDir
    Path dir;

    @Test
    void missingDirectoriesAreCreated() {
        Path data = dir.resolve("a/b/data");
        Path logs = dir.resolve("c/logs");
        try (DataDirs dirs = DataDirs.open(data, logs)) {
            assertThat(dirs.snapDir()).isDirectory().isEqualTo(data.toAbsolutePath().resolve("version-2"));
            assertThat(dirs.logDir()).isDirectory().isEqualTo(logs.toAbsolutePath().resolve("version-2"));
        }
        assertThat(data.resolve(".ensemble.probe")).doesNotExist();
    }

    @Test
    void aSecondOpenOfTheSameDataDirFailsOnTheLock() {
        try (DataDirs first = DataDirs.open(dir, dir)) {
            assertThatThrownBy(() -> DataDirs.open(dir, dir))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining(dir.toAbsolutePath().toString())
                    .hasMessageContaining("lock");
        }
        // released on close: it can be opened again
        DataDirs.open(dir, dir).close();
    }

    @Test
    void aSecondServerOnTheSameDataDirFailsClearly() throws Exception {
        ServerConfig config = ServerConfig.builder().clientPort(0).tickTime(200).dataDir(dir)
                .adminEnableServer(false).adminServerPort(0).build();
        try (EnsembleServer first = new EnsembleServer(config)) {
            first.start();
            EnsembleServer second = new EnsembleServer(config);
            assertThatThrownBy(second::start)
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("lock")
                    .hasMessageContaining(dir.toAbsolutePath().toString());
            assertThat(first.isRunning()).isTrue();
        }
    }

    @Test
    void aDataDirThatIsARegularFileFailsClearly() throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertThatThrownBy(() -> DataDirs.open(file, file))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("dataDir")
                .hasMessageContaining(file.toString());
    }

    @Test
    void aDataDirBelowARegularFileFailsClearly() throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        Path under = file.resolve("data");
        assertThatThrownBy(() -> DataDirs.open(under, under))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("dataDir")
                .hasMessageContaining(under.toString());
        Path goodData = dir.resolve("ok");
        assertThatThrownBy(() -> DataDirs.open(goodData, under))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("dataLogDir")
                .hasMessageContaining(under.toString());
    }

    @Test
    void aDataDirUnderTmpLogsAWarning() throws Exception {
        Path tmpDir = Files.createTempDirectory(Path.of("/tmp"), "ensemble-datadirs-test");
        LogCapture log = LogCapture.of(DataDirs.class);
        List<LogRecord> records = log.records();
        try (DataDirs dirs = DataDirs.open(tmpDir, tmpDir)) {
            assertThat(records).anyMatch(r -> r.getLevel() == Level.WARNING && r.getMessage().contains("/tmp")
                    && r.getMessage().contains(tmpDir.toString()));
        } finally {
            log.close();
            try (var s = Files.walk(tmpDir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aDataDirElsewhereLogsNoTmpWarning() throws Exception {
        Path home = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        Path target = Files.createTempDirectory(Files.createDirectories(home.resolve("target")), "datadirs");
        LogCapture log = LogCapture.of(DataDirs.class);
        List<LogRecord> records = log.records();
        try (DataDirs dirs = DataDirs.open(target, target)) {
            if (!target.startsWith("/tmp")) {
                assertThat(records).noneMatch(r -> r.getMessage().contains("under /tmp"));
            }
        } finally {
            log.close();
            try (var s = Files.walk(target)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
