package io.ensemble.quorum.peer;

import io.ensemble.quorum.zab.PersistedState;
import io.ensemble.quorum.zab.Zxid;
import io.ensemble.storage.EpochFiles;
import io.ensemble.storage.Storage;
import io.ensemble.txn.LoggedTxn;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * This server's history as ZAB needs it between roles: the accepted and current epochs (files next to myid, written
 * before any message that promises them), the log's recent tail (a leader DIFFs learners from it), and what was
 * logged but not yet applied to the tree (applied before the next role, as ZooKeeper fast-forwards its database).
 */
final class PeerLog {
    private final Path dataDir;
    private final int keep;
    private final ArrayDeque<LoggedTxn> tail = new ArrayDeque<>();
    private final ArrayDeque<LoggedTxn> unapplied = new ArrayDeque<>();
    private long base;
    private long acceptedEpoch;
    private long currentEpoch;

    PeerLog(Path dataDir, Storage.Recovered recovered, int keep) {
        this.dataDir = dataDir;
        this.keep = keep;
        reset(recovered);
        long logEpoch = Zxid.epoch(lastLogged());
        // A server from before the epoch files existed (or that lost them) takes the epoch of its last zxid.
        currentEpoch = Math.max(EpochFiles.read(dataDir, EpochFiles.CURRENT), logEpoch);
        acceptedEpoch = Math.max(EpochFiles.read(dataDir, EpochFiles.ACCEPTED), currentEpoch);
    }

    /** The log was rebuilt from disk (after TRUNC or SNAP): its tail starts over. */
    synchronized void reset(Storage.Recovered recovered) {
        tail.clear();
        unapplied.clear();
        base = recovered.tailBase();
        tail.addAll(recovered.tail());
        if (tail.isEmpty()) {
            base = recovered.lastZxid();
        }
    }

    synchronized void logged(List<LoggedTxn> txns) {
        for (LoggedTxn t : txns) {
            tail.addLast(t);
            unapplied.addLast(t);
            if (tail.size() > keep) {
                base = tail.removeFirst().zxid();
            }
        }
    }

    synchronized void applied(long zxid) {
        while (!unapplied.isEmpty() && unapplied.peekFirst().zxid() <= zxid) {
            unapplied.removeFirst();
        }
    }

    /** Logged but never committed in the role that just ended; the caller applies them. */
    synchronized List<LoggedTxn> takeUnapplied() {
        List<LoggedTxn> out = new ArrayList<>(unapplied);
        unapplied.clear();
        return out;
    }

    synchronized long lastLogged() {
        return tail.isEmpty() ? base : tail.getLast().zxid();
    }

    synchronized long acceptedEpoch() {
        return acceptedEpoch;
    }

    synchronized long currentEpoch() {
        return currentEpoch;
    }

    synchronized void acceptEpoch(long epoch) {
        EpochFiles.write(dataDir, EpochFiles.ACCEPTED, epoch);
        acceptedEpoch = epoch;
    }

    synchronized void setCurrentEpoch(long epoch) {
        EpochFiles.write(dataDir, EpochFiles.CURRENT, epoch);
        currentEpoch = epoch;
    }

    synchronized PersistedState state() {
        return new PersistedState(acceptedEpoch, currentEpoch, base, List.copyOf(tail));
    }
}
