package io.ensemble.faults;

import io.ensemble.checker.History;
import io.ensemble.checker.Operation;
import io.ensemble.checker.Report;
import io.ensemble.checker.Violation;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What one fault scenario proved, as the one line it prints and appends to {@code <build dir>/reliability-counts.txt}
 * (the build directory the test classes were compiled into, so that a build with {@code -Dbuild.dir=...} keeps its
 * own): {@code RELIABILITY: <scenario> faults injected N, operations checked M, histories verified K, acknowledged
 * writes checked W, lost L}.
 */
final class ReliabilityCounts {
    private final String scenario;
    private long faults;
    private long operations;
    private long histories;
    private long acknowledged;
    private long lost;

    ReliabilityCounts(String scenario) {
        this.scenario = scenario;
    }

    String scenario() {
        return scenario;
    }

    void faultsInjected(long n) {
        faults += n;
    }

    /** Acknowledged writes checked outside a history (e.g. bulk znodes counted on every replica). */
    void acknowledgedWritesChecked(long n) {
        acknowledged += n;
    }

    /** A history the checker ran on: its operations are checked; it is verified only if the report is ok. */
    void checked(History history, Report report) {
        operations += report.operations();
        acknowledged += history.operations().stream().filter(Operation::isAcknowledgedUpdate).count();
        lost += report.violations(Violation.Kind.LOST_WRITE).size();
        if (report.ok()) {
            histories++;
        }
    }

    /** Prints the line and appends it to the build directory's reliability-counts.txt. */
    String report() {
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
            Path classes = Path.of(ReliabilityCounts.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("target").toAbsolutePath();
        }
    }
}
