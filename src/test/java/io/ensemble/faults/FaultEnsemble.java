package io.ensemble.faults;

import io.ensemble.checker.Checker;
import io.ensemble.checker.History;
import io.ensemble.checker.Report;
import io.ensemble.checker.TreeSnapshot;
import io.ensemble.testing.Clients;
import io.ensemble.testing.ConsolesOnFailure;
import io.ensemble.testing.EnsembleCluster;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ensemble of a fault scenario and what the scenario proved, as a JUnit extension:
 * {@code @RegisterExtension final FaultEnsemble ensemble = new FaultEnsemble("SomeIT");} serves one test (on a
 * static field, the class's tests share it). It prints the tails of the server consoles when a test fails, stops the
 * servers after the test (after the class, if static), and then prints the scenario's RELIABILITY line
 * ({@link ReliabilityCounts}), whatever the outcome. The test counts its faults here, and ends each recorded run with
 * {@link #check}: every server's tree, and the {@link Checker} on the history against them.
 */
final class FaultEnsemble implements BeforeAllCallback, AfterEachCallback, AfterAllCallback, TestWatcher {
    private final ReliabilityCounts counts;
    private EnsembleCluster cluster;
    private final ConsolesOnFailure consoles = new ConsolesOnFailure(() -> cluster, 80);
    private final Deque<AutoCloseable> closeAfterServers = new ArrayDeque<>();
    private boolean sharedByClass;

    FaultEnsemble(String scenario) {
        this.counts = new ReliabilityCounts(scenario);
    }

    /** Three voting servers whose sessions may outlive a failover or a restart (maxSessionTimeout 30 s). */
    static EnsembleCluster.Builder threeServers(Path dir) {
        return EnsembleCluster.builder(dir).voters(3).set("maxSessionTimeout", "30000");
    }

    /** Builds the ensemble, starts every server and waits until all of them serve. */
    EnsembleCluster start(EnsembleCluster.Builder builder, Duration atMost) throws IOException {
        build(builder);
        startServing(atMost);
        return cluster;
    }

    /** Builds the ensemble without starting it, for a test that prepares its servers' directories first. */
    EnsembleCluster build(EnsembleCluster.Builder builder) throws IOException {
        cluster = builder.build();
        return cluster;
    }

    /** Starts every server of the built ensemble and waits until all of them serve. */
    void startServing(Duration atMost) throws IOException {
        cluster.startAll();
        cluster.awaitServing(atMost);
    }

    /** Closes {@code resource} once the servers are stopped (last added, first closed): e.g. a server's tmpfs. */
    void closeAfterServers(AutoCloseable resource) {
        closeAfterServers.push(resource);
    }

    void faultInjected() {
        counts.faultsInjected(1);
    }

    void faultsInjected(long n) {
        counts.faultsInjected(n);
    }

    /** Acknowledged writes the test checked on every replica itself, beyond the recorded history. */
    void acknowledgedWritesChecked(long n) {
        counts.acknowledgedWritesChecked(n);
    }

    /**
     * The end of a recorded run, once the load has stopped and every server runs again: waits until all of them
     * serve at the same zxid, snapshots each one's tree ("server1", ...), runs the {@link Checker} on the history
     * against them, prints the report and counts it; the report must be ok. Returns the snapshots.
     */
    Map<String, TreeSnapshot> check(History history, Duration atMost) throws Exception {
        Map<String, TreeSnapshot> finals = snapshots(atMost);
        Report report = Checker.check(history, finals);
        System.out.println(counts.scenario() + ": " + report + "final states " + finals);
        counts.checked(history, report);
        assertThat(report.ok()).as(report.toString()).isTrue();
        return finals;
    }

    /** Equal zxids are not asserted here: the checker compares the trees. */
    private Map<String, TreeSnapshot> snapshots(Duration atMost) throws Exception {
        cluster.awaitServing(atMost);
        await("every server at the same zxid").atMost(atMost).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.ids().stream().map(id -> cluster.server(id).zxid()).distinct().count() == 1);
        Map<String, TreeSnapshot> out = new LinkedHashMap<>();
        for (int id : cluster.ids()) {
            try (ZooKeeper zk = Clients.connect(cluster.connectString(id), 30_000)) {
                out.put("server" + id, TreeSnapshot.take(zk));
            }
        }
        return out;
    }

    /** Only an extension on a static field sees the class begin: its ensemble lives until the class ends. */
    @Override
    public void beforeAll(ExtensionContext context) {
        sharedByClass = true;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!sharedByClass) {
            finish();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        finish();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        consoles.testFailed(context, cause); // the consoles outlive the servers: a test's @TempDir must be static
    }

    private void finish() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            while (!closeAfterServers.isEmpty()) {
                closeAfterServers.pop().close();
            }
        }
        counts.report();
    }
}
