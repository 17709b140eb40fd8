package io.ensemble.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.util.function.Supplier;

/**
 * Prints the tails of an ensemble's server consoles when a test fails (to failsafe-reports/*-output.txt), so a
 * failure can be read without the temporary directories: {@code @RegisterExtension final ConsolesOnFailure
 * consoles = new ConsolesOnFailure(() -> cluster, 80);}
 */
public final class ConsolesOnFailure implements TestWatcher {
    private final Supplier<EnsembleCluster> cluster;
    private final int lines;

    public ConsolesOnFailure(Supplier<EnsembleCluster> cluster, int lines) {
        this.cluster = cluster;
        this.lines = lines;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        EnsembleCluster c = cluster.get();
        if (c != null) {
            System.out.println("=== " + context.getDisplayName() + " failed; server consoles:\n" + c.consoles(lines));
        }
    }
}
