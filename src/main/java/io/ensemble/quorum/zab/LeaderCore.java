package io.ensemble.quorum.zab;

import io.ensemble.quorum.zab.LearnerHandle.Phase;
import io.ensemble.quorum.zab.ZabMessage.*;
import io.ensemble.txn.Txn;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * ZAB on the leader, one instance per LEADING term, as a pure state machine: discovery (FOLLOWERINFO from a
 * quorum, new epoch = highest accepted epoch + 1, ACKEPOCH from a quorum), synchronisation (DIFF/TRUNC/SNAP then
 * NEWLEADER per learner, established once a quorum ACKs NEWLEADER) and broadcast. The leader counts itself in
 * every quorum. Once it returns a {@link ZabEvent.Looking}, the instance is spent and answers nothing more.
 */
public final class LeaderCore {

    private enum Stage { DISCOVERY, SYNC, BROADCAST, DONE }

    private final ZabSettings settings;
    private final PersistedState initial;
    private final LeaderBroadcast broadcast;
    private final Map<Long, LearnerHandle> learners = new TreeMap<>();
    private final Set<Long> infoFrom = new HashSet<>();
    private final Set<Long> epochAckFrom = new HashSet<>();
    private final Set<Long> newLeaderAckFrom = new HashSet<>();
    private Stage stage = Stage.DISCOVERY;
    private long maxAcceptedEpoch;
    private long newEpoch = -1;
    private int ticks;
    private ZabReady.Builder out;

    public LeaderCore(ZabSettings settings, PersistedState state) {
        if (!settings.voters().contains(settings.myId())) {
            throw new IllegalArgumentException("server " + settings.myId() + " is not a voter and cannot lead");
        }
        this.settings = settings;
        this.initial = state;
        this.broadcast = new LeaderBroadcast(settings, state);
        this.maxAcceptedEpoch = state.acceptedEpoch();
    }

    /** Counts the leader's own FOLLOWERINFO; a one-voter ensemble is established right here. */
    public ZabReady start() {
        out = new ZabReady.Builder();
        infoFrom.add(settings.myId());
        maybeChooseEpoch();
        return out.build();
    }

    public ZabReady step(long from, ZabMessage message) {
        if (stage == Stage.DONE) {
            return ZabReady.NONE;
        }
        out = new ZabReady.Builder();
        switch (message) {
            case FollowerInfo fi -> onInfo(from, false, fi.acceptedEpoch(), fi.lastZxid());
            case ObserverInfo oi -> onInfo(from, true, oi.acceptedEpoch(), oi.lastZxid());
            default -> {
                LearnerHandle h = learners.get(from);
                if (h != null) {
                    h.ticksSinceHeard = 0;
                    onLearnerMessage(h, message);
                }
            }
        }
        return out.build();
    }

    private void onInfo(long sid, boolean observer, long acceptedEpoch, long lastZxid) {
        if (observer != settings.isObserver(sid) || (!observer && !settings.voters().contains(sid))) {
            out.event(new ZabEvent.DropLearner(sid, "its role does not match the configuration"));
            learners.remove(sid);
            return;
        }
        broadcast.forget(sid);
        LearnerHandle h = new LearnerHandle(sid, observer, lastZxid);
        learners.put(sid, h);
        if (newEpoch < 0) {
            maxAcceptedEpoch = Math.max(maxAcceptedEpoch, acceptedEpoch);
            infoFrom.add(sid);
            maybeChooseEpoch();
        } else {
            out.send(sid, new LeaderInfo(newEpoch));
        }
    }

    private void maybeChooseEpoch() {
        if (newEpoch >= 0 || !settings.isQuorum(infoFrom)) {
            return;
        }
        newEpoch = maxAcceptedEpoch + 1;
        out.acceptedEpoch(newEpoch);
        stage = Stage.SYNC;
        learners.values().forEach(h -> out.send(h.sid, new LeaderInfo(newEpoch)));
        epochAckFrom.add(settings.myId());
        maybeEpochAcked();
    }

    private void onLearnerMessage(LearnerHandle h, ZabMessage message) {
        switch (message) {
            case AckEpoch ae when h.phase == Phase.INFO && newEpoch >= 0 -> onAckEpoch(h, ae);
            case Ack ack when h.phase == Phase.SYNC_SENT && ack.zxid() == Zxid.of(newEpoch, 0) -> onNewLeaderAck(h);
            case Ack ack when h.synced() && !h.observer -> broadcast.ack(h.sid, ack.zxid(), learners, out);
            case Ping ping -> {
                if (!ping.touches().isEmpty()) {
                    out.event(new ZabEvent.SessionsTouched(h.sid, ping.touches()));
                }
            }
            case Request r when stage == Stage.BROADCAST -> out.event(new ZabEvent.Forwarded(h.sid, r));
            case Revalidate r -> out.event(new ZabEvent.RevalidateRequested(h.sid, r.sessionId(), r.timeout()));
            case Sync s -> broadcast.sync(h.sid, s, out);
            default -> drop(h.sid, "unexpected " + message.getClass().getSimpleName() + " in phase " + h.phase);
        }
    }

    private void onAckEpoch(LearnerHandle h, AckEpoch ae) {
        boolean electing = !settings.isQuorum(epochAckFrom);
        boolean ahead = ae.currentEpoch() > initial.currentEpoch()
                || (ae.currentEpoch() == initial.currentEpoch() && ae.lastZxid() > initial.lastZxid());
        // While the epoch is being established a more recent follower means the election went wrong (ZooKeeper's
        // waitForEpochAck); after it, a learner's longer history is an uncommitted tail to truncate.
        if (electing && ahead && !h.observer) {
            stepDown("follower " + h.sid + " is ahead of the leader (epoch " + ae.currentEpoch() + ", zxid "
                    + Zxid.format(ae.lastZxid()) + ")");
            return;
        }
        h.lastZxid = ae.lastZxid();
        h.phase = Phase.EPOCH_ACKED;
        if (electing) {
            epochAckFrom.add(h.sid);
            maybeEpochAcked();
        } else {
            sync(h);
        }
    }

    private void maybeEpochAcked() {
        if (!settings.isQuorum(epochAckFrom)) {
            return;
        }
        out.currentEpoch(newEpoch);
        learners.values().stream().filter(h -> h.phase == Phase.EPOCH_ACKED).toList().forEach(this::sync);
        newLeaderAckFrom.add(settings.myId());
        maybeEstablish();
    }

    private void sync(LearnerHandle h) {
        broadcast.syncPlan(h.lastZxid).forEach(m -> out.send(h.sid, m));
        out.send(h.sid, new NewLeader(Zxid.of(newEpoch, 0)));
        h.syncEnd = broadcast.lastZxid();
        h.phase = Phase.SYNC_SENT;
    }

    private void onNewLeaderAck(LearnerHandle h) {
        h.phase = Phase.NEWLEADER_ACKED;
        if (stage == Stage.BROADCAST) {
            h.phase = Phase.UP_TO_DATE;
            out.send(h.sid, new UpToDate());
        }
        if (!h.observer) {
            broadcast.ack(h.sid, h.syncEnd, learners, out);
        }
        if (h.phase != Phase.UP_TO_DATE) {
            newLeaderAckFrom.add(h.sid);
            maybeEstablish();
        }
    }

    private void maybeEstablish() {
        if (stage != Stage.SYNC || !settings.isQuorum(newLeaderAckFrom)) {
            return;
        }
        stage = Stage.BROADCAST;
        out.event(new ZabEvent.Established(newEpoch));
        for (LearnerHandle h : learners.values()) {
            if (h.phase == Phase.NEWLEADER_ACKED) {
                h.phase = Phase.UP_TO_DATE;
                out.send(h.sid, new UpToDate());
            }
        }
    }

    /** Leader only, once established: orders a prepared write; the txn to log is in the answer's persist list. */
    public ZabReady propose(long sessionId, int cxid, long time, int type, Txn txn) {
        if (stage != Stage.BROADCAST) {
            throw new IllegalStateException("cannot propose in stage " + stage);
        }
        out = new ZabReady.Builder();
        broadcast.propose(newEpoch, sessionId, cxid, time, type, txn, learners, out);
        return out.build();
    }

    /** The driver's log has made everything up to {@code zxid} durable: the leader's own ACK. */
    public ZabReady durable(long zxid) {
        if (stage == Stage.DONE) {
            return ZabReady.NONE;
        }
        out = new ZabReady.Builder();
        broadcast.ack(settings.myId(), zxid, learners, out);
        return out.build();
    }

    /** The answer to a {@link ZabEvent.RevalidateRequested}. */
    public ZabReady revalidated(long sid, long sessionId, boolean valid) {
        if (stage == Stage.DONE || !learners.containsKey(sid)) {
            return ZabReady.NONE;
        }
        return new ZabReady.Builder().send(sid, new RevalidateReply(sessionId, valid)).build();
    }

    /** The transport lost the connection to this learner. */
    public ZabReady disconnected(long sid) {
        learners.remove(sid);
        return ZabReady.NONE;
    }

    /**
     * One tick: drop learners silent too long (initLimit until UPTODATE, syncLimit after), ping the rest, and step
     * down when the synced voters, the leader included, are no longer a quorum, or no quorum synced in time.
     */
    public ZabReady tick() {
        if (stage == Stage.DONE) {
            return ZabReady.NONE;
        }
        out = new ZabReady.Builder();
        ticks++;
        for (LearnerHandle h : List.copyOf(learners.values())) {
            h.ticksSinceHeard++;
            h.ticksConnected++;
            if (h.phase != Phase.UP_TO_DATE && h.ticksConnected > settings.initLimit()) {
                drop(h.sid, "not synced within initLimit");
            } else if (h.phase == Phase.UP_TO_DATE && h.ticksSinceHeard > settings.syncLimit()) {
                drop(h.sid, "silent for more than syncLimit ticks");
            } else if (h.phase == Phase.UP_TO_DATE) {
                out.send(h.sid, new Ping(List.of()));
            }
        }
        if (stage != Stage.BROADCAST && ticks > settings.initLimit()) {
            stepDown("no quorum synced within initLimit");
        } else if (stage == Stage.BROADCAST && !settings.isQuorum(syncedVoters())) {
            stepDown("lost the quorum of synced followers");
        }
        return out.build();
    }

    private Set<Long> syncedVoters() {
        Set<Long> ids = new HashSet<>();
        ids.add(settings.myId());
        learners.values().stream().filter(h -> h.synced() && !h.observer).forEach(h -> ids.add(h.sid));
        return ids;
    }

    private void drop(long sid, String reason) {
        learners.remove(sid);
        out.event(new ZabEvent.DropLearner(sid, reason));
    }

    private void stepDown(String reason) {
        stage = Stage.DONE;
        out.event(new ZabEvent.Looking(reason));
    }

    /** Followers (observers not counted) synced with this leader. */
    public int syncedFollowers() {
        return (int) learners.values().stream().filter(h -> h.synced() && !h.observer).count();
    }

    /** Connected learners, followers and observers, synced or not. */
    public int learners() {
        return learners.size();
    }

    /** Ids of the observers synced with this leader. */
    public List<Long> syncedObservers() {
        return learners.values().stream().filter(h -> h.synced() && h.observer).map(h -> h.sid).toList();
    }

    /** Learners' sync() requests waiting for their commit. */
    public int pendingSyncs() {
        return broadcast.pendingSyncs();
    }

    public boolean isEstablished() {
        return stage == Stage.BROADCAST;
    }

    /** The epoch this leader established or is establishing; -1 until a quorum has sent FOLLOWERINFO. */
    public long epoch() {
        return newEpoch;
    }

    public long lastCommitted() {
        return broadcast.committed();
    }

    public long lastProposed() {
        return broadcast.lastZxid();
    }
}
