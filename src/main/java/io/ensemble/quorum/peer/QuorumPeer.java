package io.ensemble.quorum.peer;

import io.ensemble.config.ServerConfig;
import io.ensemble.quorum.election.Decision;
import io.ensemble.quorum.election.LeaderElection;
import io.ensemble.quorum.election.ServerState;
import io.ensemble.quorum.transport.QuorumLinkOptions;
import io.ensemble.quorum.zab.ZabSettings;
import io.ensemble.server.ElectionTimes;
import io.ensemble.server.EnsembleServer;
import io.ensemble.server.ReplicaHost;
import io.ensemble.storage.Storage;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The state machine of one server of an ensemble: LOOKING (leader election on the election port) then LEADING,
 * FOLLOWING or OBSERVING until that term ends, then LOOKING again, for as long as the server runs. Each change is
 * published to listeners (the CDI layer turns it into a {@code ServerStateChanged} event).
 */
public final class QuorumPeer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(QuorumPeer.class.getName());

    /** A state change: the state, the leader (-1 while looking), the epoch, and whether clients are served. */
    public record Status(ServerState state, long leaderId, long epoch, boolean serving) {
    }

    private final EnsembleServer server;
    private final ServerConfig config;
    private final List<Consumer<Status>> listeners = new CopyOnWriteArrayList<>();
    private PeerContext ctx;
    private Thread loop;
    private volatile Role role;
    private volatile Status status;
    private volatile ElectionTimes elections = ElectionTimes.NONE;
    private volatile boolean closed;

    public QuorumPeer(EnsembleServer server) {
        this.server = server;
        this.config = server.config();
        this.status = new Status(ServerState.LOOKING, -1, 0, false);
    }

    /** Binds the election port and starts looking for a leader. */
    public synchronized void start() throws IOException {
        ReplicaHost host = server.replicaHost();
        PeerLog log = new PeerLog(config.dataDir(), server.recovered(), EnsembleServer.TAIL_KEPT);
        LeaderElection election = LeaderElection.overTcp(config.quorum(), config.tickTime());
        // Frames as large as the log's entries: any transaction logged must reach the followers too.
        QuorumLinkOptions links = QuorumLinkOptions.forMaxEntry(Storage.maxEntryBytes(config.juteMaxBuffer()));
        ctx = new PeerContext(config, host, log, ZabSettings.of(config.quorum()), links, election);
        server.addStateListener(this::servingChanged);
        server.quorumView(new PeerView(this, config.quorum().voters().size()));
        loop = Thread.ofPlatform().name("quorum-peer-" + ctx.myId()).daemon().start(this::run);
    }

    public Status status() {
        return status;
    }

    public void addListener(Consumer<Status> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<Status> listener) {
        listeners.remove(listener);
    }

    /** How long the elections took, LOOKING to decision (ZooKeeper's election_time). */
    ElectionTimes elections() {
        return elections;
    }

    /** The current term's role, or null between terms. */
    Role role() {
        return role;
    }

    /** Followers synced with this server while it leads; 0 otherwise. */
    public int syncedFollowers() {
        return role instanceof LeaderRole leader ? leader.syncedFollowers() : 0;
    }

    private void run() {
        while (!closed) {
            try {
                publish(new Status(ServerState.LOOKING, -1, ctx.log().currentEpoch(), false));
                long lookingSince = System.nanoTime();
                Decision d = ctx.election().lookForLeader(ctx.log().lastLogged(), ctx.log().currentEpoch()).get();
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lookingSince);
                elections = elections.plus(tookMillis); // before the publish: listeners may read it
                LOG.info("quorum: server " + ctx.myId() + " elected " + d.leader() + " in " + tookMillis + " ms");
                Role r = d.role() == ServerState.LEADING ? new LeaderRole(ctx) : new LearnerRole(ctx, d.leader());
                role = r;
                publish(new Status(d.role(), d.leader(), ctx.log().acceptedEpoch(), false));
                r.start();
                String reason = r.ended().get();
                LOG.info("quorum: server " + ctx.myId() + " looking for a leader again (" + reason + ")");
            } catch (InterruptedException e) {
                return;
            } catch (ExecutionException | RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "quorum: server " + ctx.myId() + " role failed; electing again", e);
                }
            } finally {
                role = null;
            }
        }
    }

    /** The server started or stopped serving clients in the current role. */
    private void servingChanged() {
        Role r = role;
        if (r != null) {
            long leader = r instanceof LearnerRole l ? l.leaderId() : ctx.myId();
            publish(new Status(status.state(), leader, ctx.log().currentEpoch(), server.isServing()));
        }
    }

    private void publish(Status s) {
        status = s;
        for (Consumer<Status> l : listeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                LOG.warning("A quorum state listener failed: " + e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Role r = role;
        if (r != null) {
            r.close();
        }
        if (ctx != null) {
            ctx.election().close();
        }
        if (loop != null) {
            loop.interrupt();
        }
    }
}
