package io.ensemble.quorum.election;

import io.ensemble.config.PeerSpec;
import io.ensemble.config.QuorumConfig;
import io.ensemble.quorum.election.tcp.TcpElectionTransport;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs this server's {@link ElectionStateMachine} over an {@link ElectionTransport} with a tick timer. The machine
 * keeps running between elections, so that servers which start looking later learn the leader from us.
 *
 * <pre>{@code
 * LeaderElection election = LeaderElection.overTcp(quorumConfig, tickTime);
 * Decision d = election.lookForLeader(lastLoggedZxid, acceptedEpoch).join();   // LEADING / FOLLOWING / OBSERVING
 * ...                                                                         // leader lost or quorum lost:
 * d = election.lookForLeader(lastLoggedZxid, acceptedEpoch).join();           // next round
 * }</pre>
 */
public final class LeaderElection implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class.getName());

    private final long myId;
    private final ElectionStateMachine machine;
    private final ElectionTransport transport;
    private final ScheduledExecutorService ticker;
    /** Serialises every call into the machine: transport readers and the ticker call in concurrently. */
    private final ReentrantLock lock = new ReentrantLock();
    /** The running round's outcome; null when no round is running. */
    private CompletableFuture<Decision> pending;
    private boolean closed;

    public LeaderElection(QuorumConfig config, ElectionTiming timing, ElectionTransport transport) {
        this.myId = config.myId();
        this.machine = new ElectionStateMachine(myId, config.voters().stream().map(PeerSpec::id).toList(), timing);
        this.transport = transport;
        this.ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofVirtual().name("election-tick-" + myId).factory());
        transport.start(this::onMessage);
        ticker.scheduleAtFixedRate(this::tick, timing.tickMillis(), timing.tickMillis(), TimeUnit.MILLISECONDS);
    }

    /** Election over TCP on this server's election port, with delays derived from tickTime. */
    public static LeaderElection overTcp(QuorumConfig config, int tickTime) throws IOException {
        return new LeaderElection(config, ElectionTiming.forTickTime(tickTime), TcpElectionTransport.bind(config));
    }

    /**
     * Starts a round with this server's last logged zxid and accepted epoch, and completes with its outcome. Called
     * again after the leader (or the quorum) is lost, it starts the next round. While a round is still running it
     * returns that round's future.
     */
    public CompletableFuture<Decision> lookForLeader(long lastZxid, long currentEpoch) {
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("election closed"));
            }
            if (pending != null) {
                return pending;
            }
            pending = new CompletableFuture<>();
            CompletableFuture<Decision> mine = pending;
            LOG.info(() -> "election: server " + myId + " looking, round " + (machine.round() + 1) + ", zxid 0x"
                    + Long.toHexString(lastZxid) + ", epoch " + currentEpoch);
            apply(machine.start(lastZxid, currentEpoch));
            return mine;
        } finally {
            lock.unlock();
        }
    }

    /** The new leader established {@code epoch}: later joiners are told it (ZooKeeper's updateElectionVote). */
    public void updatePeerEpoch(long epoch) {
        lock.lock();
        try {
            machine.updatePeerEpoch(epoch);
        } finally {
            lock.unlock();
        }
    }

    public ServerState state() {
        lock.lock();
        try {
            return machine.state();
        } finally {
            lock.unlock();
        }
    }

    /** The last decision, empty while looking or before the first round. */
    public Optional<Decision> decision() {
        lock.lock();
        try {
            return machine.decision();
        } finally {
            lock.unlock();
        }
    }

    /** Stops ticking and closes the transport; a round still running fails. */
    @Override
    public void close() {
        CompletableFuture<Decision> unfinished;
        lock.lock();
        try {
            closed = true;
            unfinished = pending;
        } finally {
            lock.unlock();
        }
        ticker.shutdownNow();
        transport.close();
        if (unfinished != null) {
            unfinished.completeExceptionally(new IllegalStateException("election closed"));
        }
    }

    private void onMessage(long from, byte[] body) {
        Notification n = NotificationCodec.decode(from, body); // throws on a bad body: the transport drops the link
        lock.lock();
        try {
            if (!closed) {
                apply(machine.receive(n));
            }
        } finally {
            lock.unlock();
        }
    }

    private void tick() {
        lock.lock();
        try {
            if (!closed) {
                apply(machine.tick());
            }
        } catch (RuntimeException e) {
            // An exception would silently cancel the periodic task, and with it every later tick.
            LOG.log(Level.SEVERE, "election: tick failed on server " + myId, e);
        } finally {
            lock.unlock();
        }
    }

    /** Sends what the machine asks and completes the round on a decision. Lock held. */
    private void apply(ElectionOutput out) {
        for (Outgoing o : out.messages()) {
            transport.send(o.to(), NotificationCodec.encode(o.notification()));
        }
        out.decision().ifPresent(d -> {
            LOG.info(() -> "election: server " + myId + " decided " + d);
            CompletableFuture<Decision> done = pending;
            pending = null; // decided: the next lookForLeader starts a new round
            // Complete off the lock's thread: a caller's continuation may block or call back in.
            Thread.ofVirtual().start(() -> done.complete(d));
        });
    }
}
