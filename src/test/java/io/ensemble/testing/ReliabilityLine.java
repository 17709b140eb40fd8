package io.ensemble.testing;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one line a fault-injection IT prints about what it proved, also appended to
 * {@code <build dir>/reliability-counts.txt} (the build directory the test classes were compiled into, so that a
 * build with {@code -Dbuild.dir=...} keeps its own): {@code RELIABILITY: <scenario> faults injected N, operations
 * checked M, histories verified K, acknowledged writes checked W, lost 0}.
 */
public final class ReliabilityLine {
    private ReliabilityLine() {
    }

    /** Whether this is the nightly run ({@code -Densemble.faults.nightly=true}): more rounds, longer load. */
    public static boolean nightly() {
        return Boolean.getBoolean("ensemble.faults.nightly");
    }

    public static String report(String scenario, long faults, long operations, long histories, long acknowledged,
                                long lost) {
        String line = "RELIABILITY: " + scenario + " faults injected " + faults + ", operations checked " + operations
                + ", histories verified " + histories + ", acknowledged writes checked " + acknowledged + ", lost "
                + lost;
        System.out.println(line);
        try {
            Path file = buildDir().resolve("reliability-counts.txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("(cannot append to reliability-counts.txt: " + e + ")");
        }
        return line;
    }

    private static Path buildDir() {
        try {
            Path classes = Path.of(ReliabilityLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("target").toAbsolutePath();
        }
    }
}
