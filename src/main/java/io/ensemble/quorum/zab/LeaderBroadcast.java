package io.ensemble.quorum.zab;

import io.ensemble.quorum.zab.ZabMessage.*;
import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.Txn;
import io.ensemble.txn.TxnHeader;

import java.util.List;
import java.util.Map;

/**
 * The leader's log side: its in-memory window, outstanding proposals and their ACKs, the commit point, and the
 * fan-out of PROPOSAL, COMMIT and INFORM to learners. {@link LeaderCore} owns the phases and the learners.
 */
final class LeaderBroadcast {
    private final ZabSettings settings;
    private final TxnWindow log;
    private final ProposalTracker proposals;
    private final PendingSyncs pendingSyncs = new PendingSyncs();
    /** Before the leader is established its whole history counts as committed: establishment commits it. */
    private long committed;
    private long counter;

    LeaderBroadcast(ZabSettings settings, PersistedState state) {
        this.settings = settings;
        this.log = new TxnWindow(state.baseZxid(), state.recent());
        this.proposals = new ProposalTracker(settings);
        this.committed = state.lastZxid();
    }

    long committed() {
        return committed;
    }

    long lastZxid() {
        return log.lastZxid();
    }

    List<ZabMessage> syncPlan(long learnerLastZxid) {
        return SyncPlanner.plan(log, committed, learnerLastZxid);
    }

    void propose(long epoch, long sessionId, int cxid, long time, int type, Txn txn,
                 Map<Long, LearnerHandle> learners, ZabReady.Builder out) {
        long zxid = Zxid.of(epoch, ++counter);
        LoggedTxn logged = new LoggedTxn(new TxnHeader(sessionId, cxid, zxid, time, type), txn);
        log.append(logged);
        proposals.add(logged);
        out.persist(logged);
        Proposal proposal = new Proposal(logged); // one instance for all: the transport encodes it once
        learners.values().stream().filter(h -> !h.observer && h.receivesStream())
                .forEach(h -> out.send(h.sid, proposal));
    }

    /** Everything up to {@code zxid} is durable on {@code sid} (the leader included); commit what now can be. */
    void ack(long sid, long zxid, Map<Long, LearnerHandle> learners, ZabReady.Builder out) {
        proposals.ack(sid, zxid);
        for (LoggedTxn t : proposals.takeCommittable()) {
            committed = t.zxid();
            out.apply(t);
            Commit commit = new Commit(t.zxid());
            Inform inform = new Inform(t);
            for (LearnerHandle h : learners.values()) {
                if (h.receivesStream()) {
                    boolean proposedToIt = !h.observer || t.zxid() <= h.syncEnd;
                    out.send(h.sid, proposedToIt ? commit : inform);
                }
            }
            pendingSyncs.release(committed).stream().filter(o -> learners.containsKey(o.to()))
                    .forEach(o -> out.send(o.to(), o.message()));
        }
        log.trim(committed, settings.commitLogCount());
    }

    void forget(long sid) {
        proposals.forget(sid);
    }

    /** Answers a learner's SYNC after every proposal made before it is committed. */
    void sync(long sid, Sync s, ZabReady.Builder out) {
        Outbound reply = new Outbound(sid, new SyncReply(s.sessionId(), s.cxid(), s.path()));
        if (proposals.isEmpty()) {
            out.send(reply.to(), reply.message());
        } else {
            pendingSyncs.add(log.lastZxid(), reply);
        }
    }

    /** Learners' SYNCs waiting for their commit (ZooKeeper's pending_syncs). */
    int pendingSyncs() {
        return pendingSyncs.size();
    }
}
