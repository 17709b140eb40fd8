package io.ensemble.fault;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The wall-clock hook: off it is the system clock; its offset file is read forgivingly while a test rewrites it. */
class WallClockTest {

    @Test
    void withoutTheHookItIsTheSystemClock() {
        long before = System.currentTimeMillis();
        long wall = WallClock.millis();
        assertThat(wall).isBetween(before, System.currentTimeMillis());
    }

    @Test
    void theOffsetFileHoldsSignedMillisecondsAndAMissingFileIsZero(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("offset");
        assertThat(WallClock.read(file, 77)).isZero();
        Files.writeString(file, "7200000\n");
        assertThat(WallClock.read(file, 0)).isEqualTo(7_200_000);
        Files.writeString(file, "-10800000");
        assertThat(WallClock.read(file, 0)).isEqualTo(-10_800_000);
    }

    @Test
    void aFileCaughtHalfWrittenKeepsTheLastOffset(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("offset");
        Files.writeString(file, "");
        assertThat(WallClock.read(file, 5000)).isEqualTo(5000);
        Files.writeString(file, "-");
        assertThat(WallClock.read(file, 5000)).isEqualTo(5000);
    }

    @Test
    void aMonotonicReadingIsShownAsTheWallClockTimeItCorrespondsTo() {
        long tenSecondsAgo = System.nanoTime() - 10_000_000_000L;
        long expected = System.currentTimeMillis() - 10_000;
        assertThat(WallClock.toWallMillis(tenSecondsAgo)).isBetween(expected - 1000, expected + 1000);
    }
}
