package io.ensemble.quorum.peer;

import io.ensemble.quorum.transport.LeaderListener;
import io.ensemble.quorum.zab.LeaderCore;
import io.ensemble.quorum.zab.Outbound;
import io.ensemble.quorum.zab.ZabEvent;
import io.ensemble.quorum.zab.ZabMessage;
import io.ensemble.quorum.zab.ZabReady;
import io.ensemble.session.Session;
import io.ensemble.storage.SnapshotFile;
import io.ensemble.txn.Txn;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** LEADING: the quorum port's listener, the leader's ZAB core, and the proposing of prepared writes. */
final class LeaderRole extends Role {
    private final LeaderCore core;
    private LeaderListener listener;

    LeaderRole(PeerContext ctx) {
        super(ctx);
        this.core = new LeaderCore(ctx.settings(), ctx.log().state());
    }

    @Override
    public String mode() {
        return "leader";
    }

    @Override
    public boolean leading() {
        return true;
    }

    @Override
    protected void open() throws IOException {
        listener = LeaderListener.bind(ctx.quorum(), ctx.linkOptions(), new LeaderListener.Handler() {
            @Override
            public void onMessage(long sid, ZabMessage message) {
                onProcessor(() -> core.step(sid, message));
            }

            @Override
            public void onDisconnected(long sid, String reason) {
                onProcessor(() -> core.disconnected(sid));
            }
        });
        listener.start();
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
        return core.durable(zxid);
    }

    @Override
    protected void send(Outbound o) {
        if (o.message() instanceof ZabMessage.Snap snap) {
            // The tree is streamed as it is when the learner's queue reaches it (fuzzy, as ZooKeeper's): later
            // commits follow the SNAP and replay idempotently over it.
            Map<Long, Integer> sessions = new HashMap<>();
            for (Session s : host.sessions().all()) {
                sessions.put(s.id(), s.timeout());
            }
            listener.sendSnapshot(o.to(), snap,
                    out -> SnapshotFile.write(out, snap.zxid(), sessions, host.tree()::forEachNode));
        } else {
            listener.send(o.to(), o.message());
        }
    }

    @Override
    protected void onEvent(ZabEvent e) {
        switch (e) {
            case ZabEvent.Established est -> {
                ctx.election().updatePeerEpoch(est.epoch());
                host.startServing(this);
            }
            case ZabEvent.DropLearner d -> listener.disconnect(d.sid());
            case ZabEvent.Forwarded f -> host.prepareForwarded(f.from(), f.request().sessionId(), f.request().cxid(),
                    f.request().type(), f.request().body(), f.request().auth());
            case ZabEvent.RevalidateRequested r ->
                    execute(core.revalidated(r.from(), r.sessionId(), host.revalidate(r.from(), r.sessionId())));
            case ZabEvent.SessionsTouched t -> {
                Map<Long, Integer> touched = new HashMap<>();
                t.touches().forEach(touch -> touched.put(touch.sessionId(), touch.timeout()));
                host.touchSessions(touched);
            }
            default -> { } // learner-side events do not reach a leader
        }
    }

    @Override
    protected void awaitSent(long to) {
        listener.awaitFlushed(to, 2000);
    }

    @Override
    protected void closeTransport() {
        if (listener != null) {
            listener.close();
        }
    }

    @Override
    public long propose(long sessionId, int cxid, int type, Txn txn, long time) {
        ZabReady r = core.propose(sessionId, cxid, time, type, txn);
        long zxid = r.persist().getFirst().zxid();
        execute(r);
        return zxid;
    }

    @Override
    public long lastProposed() {
        return core.lastProposed();
    }

    @Override
    public void forward(long sessionId, int cxid, int type, byte[] body, java.util.List<io.ensemble.wire.Id> auth) {
        throw new IllegalStateException("the leader does not forward writes");
    }

    @Override
    public void revalidate(long sessionId, int timeout) {
        throw new IllegalStateException("the leader checks sessions itself");
    }

    @Override
    public void sync(long sessionId, int cxid, String path) {
        throw new IllegalStateException("the leader syncs locally");
    }

    /** Followers (not observers) in sync with this leader. */
    int syncedFollowers() {
        return core.syncedFollowers();
    }

    /** Connected learners, synced or not. Processor thread. */
    int learners() {
        return core.learners();
    }

    /** Observers in sync with this leader. Processor thread. */
    java.util.List<Long> syncedObservers() {
        return core.syncedObservers();
    }

    /** Learners' sync() requests waiting for a commit. Processor thread. */
    int pendingSyncs() {
        return core.pendingSyncs();
    }
}
