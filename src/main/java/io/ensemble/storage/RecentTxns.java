package io.ensemble.storage;

import io.ensemble.txn.LoggedTxn;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/** Keeps the newest {@code keep} transactions seen, and the zxid just before the oldest one kept. */
final class RecentTxns implements Consumer<LoggedTxn> {
    private final int keep;
    private final ArrayDeque<LoggedTxn> txns;
    private long base;

    RecentTxns(int keep, long base) {
        if (keep < 0) {
            throw new IllegalArgumentException("keep must not be negative: " + keep);
        }
        this.keep = keep;
        this.txns = new ArrayDeque<>(Math.min(keep, 1024) + 1);
        this.base = base;
    }

    @Override
    public void accept(LoggedTxn t) {
        txns.addLast(t);
        if (txns.size() > keep) {
            base = txns.removeFirst().zxid(); // a whole log's worth would not fit in memory
        }
    }

    long base() {
        return base;
    }

    List<LoggedTxn> txns() {
        return List.copyOf(txns);
    }
}
