package io.ensemble.quorum.peer;

import io.ensemble.fault.CrashPoints;
import io.ensemble.quorum.transport.LearnerConnector;
import io.ensemble.quorum.zab.LearnerCore;
import io.ensemble.quorum.zab.Outbound;
import io.ensemble.quorum.zab.ZabEvent;
import io.ensemble.quorum.zab.ZabMessage;
import io.ensemble.quorum.zab.ZabMessage.SessionTouch;
import io.ensemble.quorum.zab.ZabReady;
import io.ensemble.txn.Txn;
import io.ensemble.wire.Id;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/** FOLLOWING or OBSERVING: one connection to the elected leader and the learner's ZAB core. */
final class LearnerRole extends Role {
    private static final Logger LOG = Logger.getLogger(LearnerRole.class.getName());
    /** Name prefix of a snapshot from the leader while it is received, before it is installed. */
    private static final String INCOMING = "incoming-snapshot.";
    private final long leaderId;
    private final boolean observer;
    private final LearnerCore core;
    private LearnerConnector connector;
    /**
     * Set once this follower serves: from then on its log thread sends each ACK as the fsync completes, instead of
     * handing it to the processor thread, whose queue may hold a batch of other work, and back. Every write waits
     * for a follower's ACK, so this is one hand-off less on every write's path.
     */
    private volatile boolean ackFromLogThread;
    private final AtomicLong ackedFromLogThread = new AtomicLong(Long.MIN_VALUE);

    LearnerRole(PeerContext ctx, long leaderId) {
        super(ctx);
        this.leaderId = leaderId;
        this.observer = ctx.settings().isObserver(ctx.myId());
        this.core = new LearnerCore(ctx.settings(), leaderId, ctx.log().state(), this::touches);
    }

    @Override
    public String mode() {
        return observer ? "observer" : "follower";
    }

    @Override
    public boolean leading() {
        return false;
    }

    long leaderId() {
        return leaderId;
    }

    @Override
    protected void open() {
        discardStaleSnapshots();
        connector = LearnerConnector.forLeader(ctx.quorum(), leaderId, ctx.config().tickTime(), ctx.linkOptions(),
                new LearnerConnector.Handler() {
                    @Override
                    public void onMessage(ZabMessage message) {
                        logSync(message);
                        onProcessor(() -> {
                            if (message instanceof ZabMessage.NewLeader) {
                                // every synced txn is handed to the log by now, not necessarily on disk
                                CrashPoints.reach(CrashPoints.LEARNER_NEWLEADER_RECEIVED);
                            }
                            return core.step(leaderId, message);
                        });
                    }

                    @Override
                    public void onSnapshot(ZabMessage.Snap snap, InputStream body) throws IOException {
                        LOG.info("quorum: syncing with leader " + leaderId + " by SNAP at zxid 0x"
                                + Long.toHexString(snap.zxid()));
                        Path file = receive(snap, body);
                        CrashPoints.reach(CrashPoints.LEARNER_SNAP_RECEIVED);
                        host.execute(() -> incomingSnapshot = file);
                        onProcessor(() -> core.step(leaderId, snap));
                    }

                    @Override
                    public void onDisconnected(String reason) {
                        onProcessor(core::disconnected);
                    }
                });
        connector.start();
    }

    /** How the leader brings this server in line: operators (and tests) read it in the log. */
    private void logSync(ZabMessage message) {
        switch (message) {
            case ZabMessage.Diff d -> LOG.info("quorum: syncing with leader " + leaderId + " by DIFF after zxid 0x"
                    + Long.toHexString(d.zxid()));
            case ZabMessage.Trunc t -> LOG.info("quorum: syncing with leader " + leaderId + " by TRUNC to zxid 0x"
                    + Long.toHexString(t.zxid()));
            default -> { }
        }
    }

    /**
     * A snapshot received in an earlier term or run but never installed (the server stopped in between) is garbage
     * now: the new leader sends a fresh one if it must. Left alone, each would keep a whole tree on disk.
     */
    private void discardStaleSnapshots() {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(host.storage().snapDir(), INCOMING + "*")) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
                LOG.info("quorum: removed " + p.getFileName() + ", a snapshot received but never installed");
            }
        } catch (IOException e) {
            LOG.warning("quorum: cannot remove snapshots received but never installed: " + e);
        }
    }

    /** Writes the leader's snapshot next to the server's own, synced, before the core is told of it. */
    private Path receive(ZabMessage.Snap snap, InputStream body) throws IOException {
        Path file = host.storage().snapDir().resolve(INCOMING + Long.toHexString(snap.zxid()));
        try (OutputStream out = Files.newOutputStream(file)) {
            body.transferTo(out);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        return file;
    }

    @Override
    protected ZabReady begin() {
        return core.start();
    }

    @Override
    protected ZabReady tick() {
        return core.tick();
    }

    @Override
    protected ZabReady durable(long zxid) {
        return core.durable(zxid, ackedFromLogThread.get());
    }

    @Override
    protected void durableOnLogThread(long zxid) {
        // the crash point stops a follower between logging a proposal and ACKing it: the processor must ACK then
        if (ackFromLogThread && !CrashPoints.armed(CrashPoints.FOLLOWER_PROPOSAL_LOGGED)) {
            ackedFromLogThread.accumulateAndGet(zxid, Math::max);
            connector.send(new ZabMessage.Ack(zxid));
        }
    }

    @Override
    protected void send(Outbound o) {
        connector.send(o.message());
    }

    @Override
    protected void onEvent(ZabEvent e) {
        switch (e) {
            case ZabEvent.Serving s -> {
                // Like the leader, answer later joiners' election notifications with the new epoch, so every
                // member of the quorum reports the same vote (ZooKeeper's updateElectionVote).
                ctx.election().updatePeerEpoch(s.epoch());
                ackFromLogThread = !observer;
                host.startServing(this);
            }
            case ZabEvent.Revalidated r -> host.revalidated(r.sessionId(), r.valid());
            case ZabEvent.SyncDone s -> host.syncDone(s.sessionId(), s.cxid());
            default -> { } // leader-side events do not reach a learner
        }
    }

    @Override
    protected void awaitSent(long to) {
        connector.awaitFlushed(2000);
    }

    @Override
    protected void closeTransport() {
        if (connector != null) {
            connector.close();
        }
    }

    private List<SessionTouch> touches() {
        List<SessionTouch> out = new ArrayList<>();
        host.drainTouches().forEach((id, timeout) -> out.add(new SessionTouch(id, timeout)));
        return out;
    }

    @Override
    public long propose(long sessionId, int cxid, int type, Txn txn, long time) {
        throw new IllegalStateException("only the leader proposes");
    }

    @Override
    public long lastProposed() {
        throw new IllegalStateException("only the leader proposes");
    }

    @Override
    public void forward(long sessionId, int cxid, int type, byte[] body, List<Id> auth) {
        execute(core.forward(new ZabMessage.Request(sessionId, cxid, type, body, auth)));
    }

    @Override
    public void revalidate(long sessionId, int timeout) {
        execute(core.revalidate(sessionId, timeout));
    }

    @Override
    public void sync(long sessionId, int cxid, String path) {
        execute(core.sync(sessionId, cxid, path));
    }
}
