package io.ensemble.quorum.zab;

import io.ensemble.txn.LoggedTxn;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The one sequence of committed transactions across every leader of a simulation, and the checks that keep it
 * one: a leader commits past its end or exactly what is already there, a new leader's log holds all of it, and a
 * serving server's tree is a prefix of it.
 */
final class CommitLedger {
    final List<LoggedTxn> committed = new ArrayList<>();
    private final Supplier<String> context;

    CommitLedger(Supplier<String> context) {
        this.context = context;
    }

    void leaderApplied(LoggedTxn t) {
        int i = indexOf(t.zxid());
        if (i >= 0) {
            check(committed.get(i).equals(t), "two different txns committed as " + Zxid.format(t.zxid()));
        } else {
            check(committed.isEmpty() || committed.getLast().zxid() < t.zxid(),
                    "commit of " + Zxid.format(t.zxid()) + " out of order after " + zxids(committed));
            committed.add(t);
        }
    }

    /** A leader is established: everything in its log is committed, and it must already hold every commit. */
    void established(long leader, List<LoggedTxn> log) {
        long last = lastZxid();
        List<LoggedTxn> upToLast = log.stream().filter(t -> t.zxid() <= last).toList();
        check(upToLast.equals(committed), "new leader " + leader + " lacks committed txns: has "
                + zxids(upToLast) + " committed " + zxids(committed));
        log.stream().filter(t -> t.zxid() > last).forEach(committed::add);
    }

    void serving(long server, List<LoggedTxn> tree) {
        boolean prefix = tree.size() <= committed.size() && committed.subList(0, tree.size()).equals(tree);
        check(prefix, "server " + server + " serves " + zxids(tree) + ", committed " + zxids(committed));
    }

    long lastZxid() {
        return committed.isEmpty() ? 0 : committed.getLast().zxid();
    }

    private int indexOf(long zxid) {
        for (int i = 0; i < committed.size(); i++) {
            if (committed.get(i).zxid() == zxid) {
                return i;
            }
        }
        return -1;
    }

    static List<String> zxids(List<LoggedTxn> txns) {
        return txns.stream().map(t -> Zxid.format(t.zxid())).toList();
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what + "\n" + context.get());
        }
    }
}
