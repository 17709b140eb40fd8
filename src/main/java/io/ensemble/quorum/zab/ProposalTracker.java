package io.ensemble.quorum.zab;

import io.ensemble.txn.LoggedTxn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Outstanding proposals and who has made each durable. ACKs are cumulative: a server logs in zxid order over one
 * FIFO connection, so an ACK of n says every proposal up to n it was sent is durable. Commits leave strictly in
 * zxid order: a later proposal with a quorum waits for every earlier one.
 */
final class ProposalTracker {
    private final ZabSettings settings;
    private final TreeMap<Long, Pending> outstanding = new TreeMap<>();

    private record Pending(LoggedTxn txn, Set<Long> acks) {
    }

    ProposalTracker(ZabSettings settings) {
        this.settings = settings;
    }

    void add(LoggedTxn txn) {
        outstanding.put(txn.zxid(), new Pending(txn, new HashSet<>()));
    }

    void ack(long sid, long upTo) {
        for (Pending p : outstanding.headMap(upTo, true).values()) {
            p.acks().add(sid);
        }
    }

    /**
     * A learner that reconnects is synced again, possibly truncated: its earlier ACKs no longer prove anything is
     * durable there, until its new NEWLEADER ACK.
     */
    void forget(long sid) {
        outstanding.values().forEach(p -> p.acks().remove(sid));
    }

    /** Removes and returns, in order, the proposals at the head that a quorum of voters has ACKed. */
    List<LoggedTxn> takeCommittable() {
        List<LoggedTxn> out = new ArrayList<>();
        while (!outstanding.isEmpty()) {
            Map.Entry<Long, Pending> head = outstanding.firstEntry();
            if (!settings.isQuorum(head.getValue().acks())) {
                break;
            }
            outstanding.pollFirstEntry();
            out.add(head.getValue().txn());
        }
        return out;
    }

    boolean isEmpty() {
        return outstanding.isEmpty();
    }
}
