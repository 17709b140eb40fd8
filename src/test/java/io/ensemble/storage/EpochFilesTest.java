package io.ensemble.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** acceptedEpoch and currentEpoch, in ZooKeeper's format. */
class EpochFilesTest {
    @TempDir
    Path dataDir;

    @Test
    void aFreshServerHasEpochZero() {
        assertThat(EpochFiles.read(dataDir, EpochFiles.ACCEPTED)).isZero();
        assertThat(EpochFiles.read(dataDir, EpochFiles.CURRENT)).isZero();
    }

    @Test
    void writesADecimalNumberAsZooKeeperDoesAndReadsItBack() throws IOException {
        EpochFiles.write(dataDir, EpochFiles.ACCEPTED, 7);
        EpochFiles.write(dataDir, EpochFiles.CURRENT, 6);

        assertThat(Files.readString(dataDir.resolve("acceptedEpoch"))).isEqualTo("7");
        assertThat(Files.readString(dataDir.resolve("currentEpoch"))).isEqualTo("6");
        assertThat(EpochFiles.read(dataDir, EpochFiles.ACCEPTED)).isEqualTo(7);
        assertThat(EpochFiles.read(dataDir, EpochFiles.CURRENT)).isEqualTo(6);
    }

    @Test
    void overwritesWithoutLeavingATempFile() throws IOException {
        EpochFiles.write(dataDir, EpochFiles.ACCEPTED, 1);
        EpochFiles.write(dataDir, EpochFiles.ACCEPTED, 4_294_967_296L);

        assertThat(EpochFiles.read(dataDir, EpochFiles.ACCEPTED)).isEqualTo(4_294_967_296L);
        try (var files = Files.list(dataDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("acceptedEpoch");
        }
    }

    @Test
    void readsAFileWrittenByZooKeeperOrByHand() throws IOException {
        Files.writeString(dataDir.resolve("currentEpoch"), "12\n");
        assertThat(EpochFiles.read(dataDir, EpochFiles.CURRENT)).isEqualTo(12);
    }

    @Test
    void garbageRefusesWithOneClearLine() throws IOException {
        for (String bad : new String[] {"", "seven", "-3", "12 13", "99999999999999999999", "\u0000\u0001"}) {
            Files.writeString(dataDir.resolve("acceptedEpoch"), bad);
            assertThatThrownBy(() -> EpochFiles.read(dataDir, EpochFiles.ACCEPTED)).as(bad)
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining(dataDir.resolve("acceptedEpoch").toString())
                    .hasMessageContaining("not an epoch number")
                    .hasMessageNotContaining("\n")
                    .hasMessageNotContaining("\u0000");
        }
    }

    @Test
    void anUnreadableFileRefuses() throws IOException {
        Files.createDirectory(dataDir.resolve("currentEpoch"));
        assertThatThrownBy(() -> EpochFiles.read(dataDir, EpochFiles.CURRENT))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("Cannot read")
                .hasMessageContaining("currentEpoch");
    }

    @Test
    void aWriteThatCannotHappenRefuses() {
        Path missing = dataDir.resolve("no-such-dir");
        assertThatThrownBy(() -> EpochFiles.write(missing, EpochFiles.CURRENT, 3))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("Cannot write")
                .hasMessageContaining("currentEpoch");
    }
}
