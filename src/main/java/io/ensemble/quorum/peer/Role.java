package io.ensemble.quorum.peer;

import io.ensemble.fault.CrashPoints;
import io.ensemble.quorum.zab.Outbound;
import io.ensemble.quorum.zab.ZabEvent;
import io.ensemble.quorum.zab.ZabMessage;
import io.ensemble.quorum.zab.ZabReady;
import io.ensemble.server.ReplicaHost;
import io.ensemble.server.ReplicationLink;
import io.ensemble.storage.LogTruncation;
import io.ensemble.storage.LogFiles;
import io.ensemble.txn.LoggedTxn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One term in one role (leader, follower or observer): a ZAB core, its quorum-port connections and a tick timer.
 * Everything the core does runs on the server's processor thread, so the core, the tree and the sessions change in
 * one order with client requests. The term ends on the core's LOOKING (or on close); the server stops serving and
 * the peer runs an election.
 */
abstract class Role implements ReplicationLink {
    private static final Logger LOG = Logger.getLogger(Role.class.getName());

    protected final PeerContext ctx;
    protected final ReplicaHost host;
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    private ScheduledExecutorService ticker;
    private final AtomicLong durableUpTo = new AtomicLong(-1);
    private final AtomicBoolean durableReportQueued = new AtomicBoolean();
    /** A learner's snapshot from the leader, on disk, waiting for the core to ask for it to be loaded. */
    protected Path incomingSnapshot;

    Role(PeerContext ctx) {
        this.ctx = ctx;
        this.host = ctx.host();
    }

    /** Opens the role's connections and starts the core; the term ends through {@link #ended()}. */
    final void start() {
        try {
            open();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "quorum: cannot start as " + mode() + ": " + e.getMessage(), e);
            host.execute(() -> finish("start failed: " + e.getMessage()));
            return;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("zab-tick").factory());
        int tick = ctx.config().tickTime();
        ticker.scheduleAtFixedRate(() -> onProcessor(this::tick), tick, tick, TimeUnit.MILLISECONDS);
        onProcessor(this::begin);
    }

    /** The term's end, with the reason. */
    final CompletableFuture<String> ended() {
        return ended;
    }

    /** Runs a core call on the processor thread and carries out its answer, unless the term is over. */
    protected final void onProcessor(java.util.function.Supplier<ZabReady> call) {
        host.execute(() -> {
            if (ended.isDone()) {
                return;
            }
            try {
                execute(call.get());
            } catch (RuntimeException e) {
                // A role that cannot carry out its core's answer (a disk error, a TRUNC it cannot honour) must not
                // linger half-done: end the term and elect again.
                LOG.log(Level.SEVERE, "quorum: " + mode() + " failed; leaving the role", e);
                finish("failed: " + e);
            }
        });
    }

    protected abstract void open() throws Exception;

    protected abstract ZabReady begin();

    protected abstract ZabReady tick();

    protected abstract ZabReady durable(long zxid);

    protected abstract void send(Outbound o);

    protected abstract void onEvent(ZabEvent e);

    /** Closes the role's connections. */
    protected abstract void closeTransport();

    /** Waits (briefly) until what was sent to {@code to} is on its socket; only crash points need this. */
    protected abstract void awaitSent(long to);

    /** Carries out a core's answer, in the order {@link ZabReady} prescribes. Processor thread. */
    protected final void execute(ZabReady r) {
        if (ended.isDone() || r.isEmpty()) {
            return;
        }
        r.truncateTo().ifPresent(this::truncate);
        r.loadSnapshot().ifPresent(this::loadSnapshot);
        r.acceptedEpoch().ifPresent(epoch -> {
            ctx.log().acceptEpoch(epoch);
            CrashPoints.reach(leading() ? CrashPoints.LEADER_EPOCH_ACCEPTED : CrashPoints.LEARNER_EPOCH_ACCEPTED);
        });
        r.currentEpoch().ifPresent(epoch -> {
            ctx.log().setCurrentEpoch(epoch);
            if (leading()) {
                CrashPoints.reach(CrashPoints.LEADER_EPOCH_CURRENT);
            }
        });
        if (!r.persist().isEmpty()) {
            List<LoggedTxn> txns = r.persist();
            long last = txns.getLast().zxid();
            ctx.log().logged(txns);
            host.persist(txns, () -> reportDurable(last));
            crashOnceDurable(last);
        }
        if (leading() && !r.apply().isEmpty()) {
            CrashPoints.reach(CrashPoints.LEADER_COMMIT_QUORUM);
        }
        for (LoggedTxn t : r.apply()) {
            host.applyCommitted(t);
            ctx.log().applied(t.zxid());
        }
        boolean commitCut = leading() && CrashPoints.armed(CrashPoints.LEADER_COMMIT_PARTIAL)
                && r.messages().stream().filter(o -> o.message() instanceof ZabMessage.Commit)
                        .map(Outbound::to).distinct().count() > 1;
        for (Outbound o : r.messages()) {
            send(o);
            if (commitCut && o.message() instanceof ZabMessage.Commit) {
                awaitSent(o.to()); // this learner has the COMMIT, the next ones will not
                CrashPoints.reach(CrashPoints.LEADER_COMMIT_PARTIAL);
            }
        }
        if (!leading() && r.currentEpoch().isPresent() && CrashPoints.armed(CrashPoints.LEARNER_NEWLEADER_ACKED)) {
            awaitSent(0); // the ACK of NEWLEADER travels with the new currentEpoch
            CrashPoints.reach(CrashPoints.LEARNER_NEWLEADER_ACKED);
        }
        for (ZabEvent e : r.events()) {
            if (e instanceof ZabEvent.Looking l) {
                finish(l.reason());
                return;
            }
            onEvent(e);
        }
    }

    /** The crash points between a proposal reaching this server's disk and anyone hearing of it. */
    private void crashOnceDurable(long zxid) {
        String point = leading() ? CrashPoints.LEADER_PROPOSAL_LOGGED : CrashPoints.FOLLOWER_PROPOSAL_LOGGED;
        if (!CrashPoints.armed(point)) {
            return;
        }
        try {
            host.storage().commitLog().awaitDurable(zxid); // the log thread runs on; this thread sends nothing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CrashPoints.reach(point);
    }

    /**
     * Log thread: everything up to {@code zxid} is on disk. One fsync releases many batches; they become one call
     * into the core (one ACK), not one each.
     */
    private void reportDurable(long zxid) {
        durableOnLogThread(zxid); // before the processor can see zxid as durable
        durableUpTo.accumulateAndGet(zxid, Math::max);
        if (!durableReportQueued.getAndSet(true)) {
            onProcessor(() -> {
                durableReportQueued.set(false);
                return durable(durableUpTo.get());
            });
        }
    }

    /** Log thread, as each fsync completes: a role may act on it at once (a serving follower ACKs). */
    protected void durableOnLogThread(long zxid) {
    }

    private void truncate(long zxid) {
        LOG.info("quorum: truncating the log after zxid 0x" + Long.toHexString(zxid) + " (TRUNC from the leader)");
        ctx.log().reset(host.reloadStorage((snapDir, logDir) -> {
            LogTruncation.truncateAfter(snapDir, logDir, zxid, ctx.maxEntryBytes());
            CrashPoints.reach(CrashPoints.LEARNER_TRUNC_TRUNCATED);
        }));
    }

    private void loadSnapshot(long zxid) {
        Path file = incomingSnapshot;
        incomingSnapshot = null;
        if (file == null) {
            throw new IllegalStateException("SNAP without a received snapshot");
        }
        LOG.info("quorum: replacing the data with the leader's snapshot at zxid 0x" + Long.toHexString(zxid));
        ctx.log().reset(host.reloadStorage((snapDir, logDir) -> {
            LogTruncation.truncateAfter(snapDir, logDir, zxid, ctx.maxEntryBytes());
            LogTruncation.discardAll(logDir);
            Files.move(file, LogFiles.snapName(snapDir, zxid), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }));
    }

    /** Ends the term: stop serving, close connections, apply what was logged but not committed. Processor thread. */
    protected final void finish(String reason) {
        if (ended.isDone()) {
            return;
        }
        LOG.info("quorum: server " + ctx.myId() + " leaves " + mode() + ": " + reason);
        host.stopServing();
        if (ticker != null) {
            ticker.shutdownNow();
        }
        closeTransport();
        for (LoggedTxn t : ctx.log().takeUnapplied()) {
            host.applyCommitted(t);
        }
        ended.complete(reason);
    }

    /** Any thread: ends the term at the next chance (server shutting down). */
    final void close() {
        host.execute(() -> finish("server closing"));
    }
}
