package io.ensemble.quorum.zab;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Client sync() requests a leader holds back: each waits until the proposal that was last when it arrived is
 * committed, and its answer is queued behind that COMMIT, so the learner has applied every earlier write when the
 * answer reaches it.
 */
final class PendingSyncs {
    private final TreeMap<Long, List<Outbound>> byZxid = new TreeMap<>();

    void add(long waitFor, Outbound reply) {
        byZxid.computeIfAbsent(waitFor, z -> new ArrayList<>()).add(reply);
    }

    /** Removes and returns the answers whose proposal is now committed, oldest first. */
    List<Outbound> release(long committed) {
        List<Outbound> out = new ArrayList<>();
        while (!byZxid.isEmpty() && byZxid.firstKey() <= committed) {
            out.addAll(byZxid.pollFirstEntry().getValue());
        }
        return out;
    }

    /** Answers held back. */
    int size() {
        int n = 0;
        for (List<Outbound> waiting : byZxid.values()) {
            n += waiting.size();
        }
        return n;
    }
}
