package io.ensemble.quorum.zab;

import io.ensemble.quorum.zab.ZabMessage.*;
import io.ensemble.txn.LoggedTxn;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * ZAB on a follower or observer, one instance per connection to a leader, as a pure state machine. It never ACKs
 * before the driver reports the data durable ({@link #durable}), applies commits strictly in proposal order, and
 * gives up ({@link ZabEvent.Looking}) on a stale epoch, a protocol violation or a leader silent too long.
 */
public final class LearnerCore {

    private enum Stage { CONNECTING, AWAIT_SYNC, SYNCING, AWAIT_DURABLE, AWAIT_UPTODATE, SERVING, DONE }

    private final ZabSettings settings;
    private final long leader;
    private final boolean observer;
    private final Supplier<List<SessionTouch>> sessionTouches;
    /** Logged but not yet committed, in zxid order: the next COMMIT must name the head. */
    private final Deque<LoggedTxn> uncommitted = new ArrayDeque<>();
    private Stage stage = Stage.CONNECTING;
    private long acceptedEpoch;
    private long currentEpoch;
    private long lastLogged;
    private long durable;
    private long newEpoch = -1;
    /** The last zxid of the sync; NEWLEADER is ACKed once it is durable. */
    private long syncedUpTo;
    private long lastAcked;
    private int ticksSinceHeard;
    private ZabReady.Builder out;

    /**
     * @param sessionTouches the sessions this server's clients touched since the last call, sent with each PING
     *                       answer; pure from the core's point of view, the driver owns the session table
     */
    public LearnerCore(ZabSettings settings, long leader, PersistedState state,
                       Supplier<List<SessionTouch>> sessionTouches) {
        this.settings = settings;
        this.leader = leader;
        this.observer = settings.isObserver(settings.myId());
        this.sessionTouches = sessionTouches;
        this.acceptedEpoch = state.acceptedEpoch();
        this.currentEpoch = state.currentEpoch();
        this.lastLogged = state.lastZxid();
        this.durable = lastLogged;
    }

    public ZabReady start() {
        long me = settings.myId();
        ZabMessage info = observer ? new ObserverInfo(me, acceptedEpoch, lastLogged)
                : new FollowerInfo(me, acceptedEpoch, lastLogged);
        return new ZabReady.Builder().send(leader, info).build();
    }

    public ZabReady step(long from, ZabMessage message) {
        if (stage == Stage.DONE || from != leader) {
            return ZabReady.NONE;
        }
        out = new ZabReady.Builder();
        ticksSinceHeard = 0;
        switch (message) {
            case LeaderInfo li when stage == Stage.CONNECTING -> onLeaderInfo(li.newEpoch());
            case Diff d when stage == Stage.AWAIT_SYNC && d.zxid() == lastLogged -> stage = Stage.SYNCING;
            case Trunc t when stage == Stage.AWAIT_SYNC && t.zxid() <= lastLogged -> {
                out.truncateTo(t.zxid());
                lastLogged = t.zxid();
                durable = Math.min(durable, lastLogged);
                stage = Stage.SYNCING;
            }
            case Snap s when stage == Stage.AWAIT_SYNC -> {
                // The driver writes the snapshot to disk before going on (ZooKeeper snapshots right after SNAP).
                out.loadSnapshot(s.zxid());
                lastLogged = s.zxid();
                durable = s.zxid();
                stage = Stage.SYNCING;
            }
            case Proposal p when stage.compareTo(Stage.SYNCING) >= 0 -> onProposal(p.txn());
            case Commit c when stage.compareTo(Stage.SYNCING) >= 0 -> onCommit(c.zxid());
            case Inform i when observer && stage.compareTo(Stage.AWAIT_DURABLE) >= 0 -> onInform(i.txn());
            case NewLeader nl when stage == Stage.SYNCING && Zxid.epoch(nl.zxid()) == newEpoch -> onNewLeader();
            case UpToDate u when stage == Stage.AWAIT_UPTODATE -> {
                stage = Stage.SERVING;
                out.event(new ZabEvent.Serving(leader, newEpoch));
            }
            case Ping p -> out.send(leader, new Ping(sessionTouches.get()));
            case RevalidateReply r -> out.event(new ZabEvent.Revalidated(r.sessionId(), r.valid()));
            case SyncReply s -> out.event(new ZabEvent.SyncDone(s.sessionId(), s.cxid(), s.path()));
            default -> giveUp("unexpected " + message + " in stage " + stage);
        }
        return out.build();
    }

    private void onLeaderInfo(long epoch) {
        if (epoch < acceptedEpoch) {
            giveUp("leader proposes epoch " + epoch + " below accepted epoch " + acceptedEpoch);
            return;
        }
        if (epoch > acceptedEpoch) {
            acceptedEpoch = epoch;
            out.acceptedEpoch(epoch);
        }
        newEpoch = epoch;
        out.send(leader, new AckEpoch(currentEpoch, lastLogged));
        stage = Stage.AWAIT_SYNC;
    }

    private void onProposal(LoggedTxn txn) {
        if (txn.zxid() <= lastLogged) {
            giveUp("proposal " + Zxid.format(txn.zxid()) + " not after " + Zxid.format(lastLogged));
            return;
        }
        out.persist(txn);
        lastLogged = txn.zxid();
        uncommitted.addLast(txn);
    }

    private void onCommit(long zxid) {
        LoggedTxn head = uncommitted.peekFirst();
        if (head == null || head.zxid() != zxid) {
            giveUp("commit of " + Zxid.format(zxid) + " but next proposal is "
                    + (head == null ? "none" : Zxid.format(head.zxid())));
            return;
        }
        out.apply(uncommitted.removeFirst());
    }

    private void onInform(LoggedTxn txn) {
        if (!uncommitted.isEmpty() || txn.zxid() <= lastLogged) {
            giveUp("inform of " + Zxid.format(txn.zxid()) + " out of order");
            return;
        }
        out.persist(txn).apply(txn);
        lastLogged = txn.zxid();
    }

    private void onNewLeader() {
        syncedUpTo = lastLogged;
        stage = Stage.AWAIT_DURABLE;
        maybeAck();
    }

    /** The driver's log has made everything up to {@code zxid} durable. */
    public ZabReady durable(long zxid) {
        return durable(zxid, Long.MIN_VALUE);
    }

    /**
     * As {@link #durable(long)}, for a driver that has itself sent the leader ACKs up to {@code ackedByDriver}
     * (a serving follower ACKs from its log thread, without waiting for its turn here): only what is above that is
     * ACKed again. ACKs are cumulative, so one that overtakes a lower one changes nothing at the leader.
     */
    public ZabReady durable(long zxid, long ackedByDriver) {
        if (stage == Stage.DONE) {
            return ZabReady.NONE;
        }
        out = new ZabReady.Builder();
        durable = Math.max(durable, Math.min(zxid, lastLogged));
        if (stage == Stage.SERVING) {
            lastAcked = Math.max(lastAcked, ackedByDriver);
        }
        maybeAck();
        return out.build();
    }

    private void maybeAck() {
        if (stage == Stage.AWAIT_DURABLE && durable >= syncedUpTo) {
            // The epoch is recorded only once the synced history is durable: a crash in between must not leave a
            // server claiming the new epoch with an old log, which would win elections it must lose.
            currentEpoch = newEpoch;
            out.currentEpoch(newEpoch);
            out.send(leader, new Ack(Zxid.of(newEpoch, 0)));
            // The leader counts this ACK for everything the sync sent, so later ACKs start above it.
            lastAcked = Math.max(Zxid.of(newEpoch, 0), syncedUpTo);
            stage = Stage.AWAIT_UPTODATE;
        }
        boolean acking = stage == Stage.AWAIT_UPTODATE || stage == Stage.SERVING;
        if (acking && !observer && durable > lastAcked) {
            lastAcked = durable;
            out.send(leader, new Ack(durable));
        }
    }

    /** The connection to the leader broke. */
    public ZabReady disconnected() {
        if (stage == Stage.DONE) {
            return ZabReady.NONE;
        }
        out = new ZabReady.Builder();
        giveUp("connection to leader " + leader + " lost");
        return out.build();
    }

    /** One tick; a leader silent for initLimit ticks (while syncing) or syncLimit ticks (serving) is abandoned. */
    public ZabReady tick() {
        if (stage == Stage.DONE) {
            return ZabReady.NONE;
        }
        out = new ZabReady.Builder();
        ticksSinceHeard++;
        int limit = stage == Stage.SERVING ? settings.syncLimit() : settings.initLimit();
        if (ticksSinceHeard > limit) {
            giveUp("leader " + leader + " silent for " + ticksSinceHeard + " ticks");
        }
        return out.build();
    }

    /** Forwards a client write to the leader (ZooKeeper's REQUEST). */
    public ZabReady forward(Request request) {
        return send(request);
    }

    public ZabReady revalidate(long sessionId, int timeout) {
        return send(new Revalidate(sessionId, timeout));
    }

    public ZabReady sync(long sessionId, int cxid, String path) {
        return send(new Sync(sessionId, cxid, path));
    }

    private ZabReady send(ZabMessage m) {
        return stage == Stage.DONE ? ZabReady.NONE : new ZabReady.Builder().send(leader, m).build();
    }

    private void giveUp(String reason) {
        stage = Stage.DONE;
        out.event(new ZabEvent.Looking(reason));
    }

    public boolean isServing() {
        return stage == Stage.SERVING;
    }

    public boolean isDone() {
        return stage == Stage.DONE;
    }

    public long lastLogged() {
        return lastLogged;
    }
}
