package io.ensemble.admin;

import io.ensemble.config.QuorumConfig;
import io.ensemble.server.ElectionTimes;
import io.ensemble.server.EnsembleServer;
import io.ensemble.server.QuorumFacts;
import io.ensemble.server.QuorumView;
import io.ensemble.server.Reports;
import io.ensemble.server.ServerCounts;
import io.ensemble.storage.GroupCommitLog;
import io.ensemble.storage.Storage;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Histogram;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The gauges of ZooKeeper's Prometheus metrics provider, under ZooKeeper's names, in the application registry.
 * Helidon prints them at {@code /metrics} as {@code znode_count{mp_scope="application"} 5.0}: the name a ZooKeeper
 * dashboard queries, plus a scope label that its queries ignore. Values come from thread-safe counters or from the
 * last pipeline heartbeat (tree and session counts, a leader's learners; at most one heartbeat interval old); nothing
 * blocks a scrape. {@code election_time} is a summary as in ZooKeeper ({@code election_time_count}, {@code _sum},
 * {@code _max} and quantiles), fed from the quorum peer's measurements on each state change.
 */
@ApplicationScoped
public class ZooKeeperMetrics {
    static final List<String> ROLES = List.of(ServerStateChanged.STANDALONE, ServerStateChanged.LEADER,
            ServerStateChanged.FOLLOWER, ServerStateChanged.OBSERVER, ServerStateChanged.LOOKING);

    private final MetricRegistry registry;
    private final EnsembleServer server;
    private final Heartbeat heartbeat;
    private final ServerState state;
    private final List<String> registered = new ArrayList<>();
    private Histogram electionTime;
    private long electionsRecorded;

    @Inject
    ZooKeeperMetrics(MetricRegistry registry, EnsembleServer server, Heartbeat heartbeat, ServerState state) {
        this.registry = registry;
        this.server = server;
        this.heartbeat = heartbeat;
        this.state = state;
    }

    void register(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        fromCounts("znode_count", "Number of znodes in the data tree", ServerCounts::nodeCount);
        fromCounts("watch_count", "Number of watches set by clients", ServerCounts::watchCount);
        fromCounts("ephemerals_count", "Number of ephemeral znodes", ServerCounts::ephemeralCount);
        fromCounts("approximate_data_size", "Approximate size of all znode paths and data in bytes",
                ServerCounts::approximateDataSize);
        fromCounts("global_sessions", "Number of open sessions", ServerCounts::sessionCount);
        fromCounts("last_zxid", "The last zxid applied to the data tree", ServerCounts::lastZxid);
        gauge("outstanding_requests", "Client requests queued or in processing",
                () -> server.stats().outstandingRequests());
        gauge("num_alive_connections", "Open client connections", server::connectionCount);
        gauge("packets_received", "Client packets received since start or srst", () -> server.stats().packetsReceived());
        gauge("packets_sent", "Client packets sent since start or srst", () -> server.stats().packetsSent());
        gauge("avg_latency", "Average request latency in ms", () -> server.stats().latency().avg());
        gauge("min_latency", "Minimum request latency in ms", () -> server.stats().latency().min());
        gauge("max_latency", "Maximum request latency in ms", () -> server.stats().latency().max());
        gauge("uptime", "Milliseconds since the server started", () -> server.stats().uptimeMillis());
        gauge("open_file_descriptor_count", "Open file descriptors of the process", () -> fds(0));
        gauge("max_file_descriptor_count", "File descriptor limit of the process", () -> fds(1));
        gauge("quorum_size", "Voting members of the ensemble (1 standalone)", this::voters);
        fromQuorum("learners", "Leader: connected followers and observers", QuorumFacts::learners);
        fromQuorum("synced_followers", "Leader: voting followers in sync", QuorumFacts::syncedFollowers);
        fromQuorum("synced_non_voting_followers", "Leader: non-voting followers in sync (no reconfig: always 0)",
                q -> 0);
        fromQuorum("synced_observers", "Leader: observers in sync", q -> q.syncedObservers().size());
        fromQuorum("pending_syncs", "Leader: learners' sync() requests waiting for a commit",
                QuorumFacts::pendingSyncs);
        // ZooKeeper's Prometheus provider names: summaries with quantiles of read and update request latency.
        Histogram reads = registry.histogram(metadata("readlatency", "Read request latency in ms"));
        Histogram updates = registry.histogram(metadata("updatelatency", "Update request latency in ms"));
        registered.add("readlatency");
        registered.add("updatelatency");
        server.stats().latencyListener((update, millis) -> (update ? updates : reads).update(millis));
        synchronized (this) {
            electionTime = registry.histogram(metadata("election_time",
                    "Milliseconds from LOOKING to the election's decision, per election"));
        }
        registered.add("election_time");
        recordElections();
        gauge("fsync_count", "fsyncs of the transaction log since start (Ensemble)",
                () -> fromLog(GroupCommitLog::fsyncCount));
        gauge("txn_logged_count", "Transactions made durable in the log since start (Ensemble)",
                () -> fromLog(GroupCommitLog::txnCount));
        gauge("fsynctime_sum", "Milliseconds spent in transaction log fsyncs since start",
                () -> fromLog(GroupCommitLog::fsyncMillisTotal));
        gauge("fsynctime_max", "Longest transaction log fsync in ms",
                () -> fromLog(GroupCommitLog::fsyncMillisMax));
        for (String role : ROLES) {
            registry.gauge(metadata("server_state", "1 for the role this server has, 0 for the others"),
                    () -> role.equals(state.current() == null ? null : state.current().role()) ? 1 : 0,
                    new Tag("state", role));
        }
        registered.add("server_state");
    }

    @PreDestroy
    void unregister() {
        server.stats().latencyListener(null);
        registered.forEach(registry::remove);
    }

    /**
     * Feeds the election_time summary: the peer records each election before it publishes the state change that
     * ends it, so on every state change the elections not yet recorded are here (one per change). Elections before
     * the container started (the first one, usually) are caught up at registration, as one sample.
     */
    void electionsChanged(@Observes ServerStateChanged ignored) {
        recordElections();
    }

    private synchronized void recordElections() {
        if (electionTime == null) {
            return;
        }
        QuorumView view = server.quorumView();
        ElectionTimes times = view == null ? ElectionTimes.NONE : view.elections();
        if (times.count() > electionsRecorded) {
            electionTime.update(times.lastMillis());
            electionsRecorded = times.count();
        }
    }

    private int voters() {
        QuorumConfig quorum = server.config().quorum();
        return quorum == null ? 1 : quorum.voters().size();
    }

    /** A leader's count from the last heartbeat (the learner table lives on the processor thread); 0 elsewhere. */
    private void fromQuorum(String name, String help, ToLongFunction<QuorumFacts> f) {
        fromCounts(name, help, c -> c.quorum() == null ? 0 : f.applyAsLong(c.quorum()));
    }

    private void fromCounts(String name, String help, ToLongFunction<ServerCounts> f) {
        gauge(name, help, () -> {
            ServerCounts c = heartbeat.counts();
            return c == null ? 0 : f.applyAsLong(c);
        });
    }

    private <T extends Number> void gauge(String name, String help, Supplier<T> value) {
        registry.gauge(metadata(name, help), value);
        registered.add(name);
    }

    private static Metadata metadata(String name, String help) {
        return Metadata.builder().withName(name).withDescription(help).build();
    }

    private double fromLog(ToDoubleFunction<GroupCommitLog> f) {
        Storage storage = server.storage();
        GroupCommitLog log = storage == null ? null : storage.commitLog();
        return log == null ? 0 : f.applyAsDouble(log);
    }

    private static long fds(int which) {
        long[] fds = Reports.fileDescriptors();
        return fds == null ? -1 : fds[which];
    }
}
