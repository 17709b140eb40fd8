package io.ensemble.quorum.zab;

import io.ensemble.txn.LoggedTxn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The wires of the simulation. Like TCP: FIFO per direction between two servers, a partition stalls traffic
 * rather than losing it, and closing a connection queues an end-of-stream marker behind what was already sent.
 */
final class SimNetwork {

    /** A message in flight; a null message is the end-of-stream marker of a closed connection. */
    record Envelope(SimConnection conn, long from, long to, ZabMessage message, List<LoggedTxn> snapshot) {
        boolean isClose() {
            return message == null;
        }
    }

    private final Map<Long, Integer> group = new HashMap<>();
    private final List<Envelope> inFlight = new ArrayList<>();

    SimNetwork(Set<Long> ids) {
        ids.forEach(id -> group.put(id, 0));
    }

    boolean reachable(long a, long b) {
        return group.get(a).equals(group.get(b));
    }

    int group(long id) {
        return group.get(id);
    }

    /** Servers in {@code side} can only reach each other. */
    void partition(Set<Long> side) {
        group.replaceAll((id, g) -> side.contains(id) ? 1 : 0);
    }

    void heal() {
        group.replaceAll((id, g) -> 0);
    }

    void send(SimConnection c, long from, long to, ZabMessage message, List<LoggedTxn> snapshot) {
        inFlight.add(new Envelope(c, from, to, message, snapshot));
    }

    void close(SimConnection c, long by) {
        if (!c.closedBy(by)) {
            c.closeBy(by);
            send(c, by, by == c.leader ? c.learner : c.leader, null, null);
        }
    }

    /** Removes the head of one deliverable direction (a random one, or the oldest if null); null if none. */
    Envelope take(Random random) {
        Set<String> seenLinks = new HashSet<>();
        List<Envelope> heads = new ArrayList<>();
        for (Envelope e : inFlight) {
            if (seenLinks.add(e.from() + ">" + e.to()) && reachable(e.from(), e.to())) {
                heads.add(e);
            }
        }
        if (heads.isEmpty()) {
            return null;
        }
        Envelope e = heads.get(random == null ? 0 : random.nextInt(heads.size()));
        inFlight.remove(e);
        return e;
    }
}
