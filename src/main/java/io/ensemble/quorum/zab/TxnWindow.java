package io.ensemble.quorum.zab;

import io.ensemble.txn.LoggedTxn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The leader's in-memory tail of its log (ZooKeeper's committedLog), from which it syncs learners by DIFF. Only
 * committed entries are ever trimmed, so uncommitted proposals can always be replayed to a joining follower.
 */
final class TxnWindow {
    /** The zxid just before the first entry: a learner whose log ends exactly here can still be DIFFed. */
    private long base;
    private final Deque<LoggedTxn> entries = new ArrayDeque<>();

    TxnWindow(long base, List<LoggedTxn> recent) {
        this.base = base;
        recent.forEach(this::append);
    }

    void append(LoggedTxn txn) {
        if (txn.zxid() <= lastZxid()) {
            throw new IllegalArgumentException("zxid " + Zxid.format(txn.zxid()) + " not after "
                    + Zxid.format(lastZxid()));
        }
        entries.addLast(txn);
    }

    long lastZxid() {
        return entries.isEmpty() ? base : entries.getLast().zxid();
    }

    long base() {
        return base;
    }

    /** Drops the oldest committed entries beyond {@code keep}. */
    void trim(long committed, int keep) {
        while (entries.size() > keep && entries.getFirst().zxid() <= committed) {
            base = entries.removeFirst().zxid();
        }
    }

    /** The largest zxid this window knows (its base included) that is at most {@code zxid}; -1 if below base. */
    long floor(long zxid) {
        if (zxid < base) {
            return -1;
        }
        long best = base;
        for (LoggedTxn t : entries) {
            if (t.zxid() > zxid) {
                break;
            }
            best = t.zxid();
        }
        return best;
    }

    List<LoggedTxn> after(long zxid) {
        List<LoggedTxn> out = new ArrayList<>();
        for (LoggedTxn t : entries) {
            if (t.zxid() > zxid) {
                out.add(t);
            }
        }
        return out;
    }

    LoggedTxn get(long zxid) {
        for (LoggedTxn t : entries) {
            if (t.zxid() == zxid) {
                return t;
            }
        }
        throw new IllegalStateException("zxid " + Zxid.format(zxid) + " not in the window");
    }
}
