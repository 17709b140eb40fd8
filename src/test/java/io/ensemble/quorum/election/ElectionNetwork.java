package io.ensemble.quorum.election;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An in-memory, single-threaded network of election state machines: messages wait in one FIFO until delivered,
 * and links can be cut (partition, crash). Deterministic, so tests and golden transcripts are reproducible.
 */
final class ElectionNetwork {

    private final Map<Long, ElectionStateMachine> machines = new TreeMap<>();
    private final Deque<Outgoing> inFlight = new ArrayDeque<>();
    private final Map<Long, Integer> groupOf = new HashMap<>();
    private final Set<Long> crashed = new TreeSet<>();
    private final List<String> log = new ArrayList<>();
    private final Set<Long> observers;
    private boolean logMessages;

    ElectionNetwork(Collection<Long> voters, Collection<Long> observers, ElectionTiming timing) {
        this.observers = Set.copyOf(observers);
        for (long id : voters) {
            machines.put(id, new ElectionStateMachine(id, voters, timing));
        }
        for (long id : observers) {
            machines.put(id, new ElectionStateMachine(id, voters, timing));
        }
    }

    static ElectionNetwork ofVoters(long... ids) {
        List<Long> voters = new ArrayList<>();
        for (long id : ids) {
            voters.add(id);
        }
        return new ElectionNetwork(voters, List.of(), timing());
    }

    static ElectionTiming timing() {
        return new ElectionTiming(1, 2, 3, 12);
    }

    /** Records every delivered message in the transcript too (the golden tests want them; others do not). */
    ElectionNetwork logMessages(boolean on) {
        logMessages = on;
        return this;
    }

    ElectionStateMachine machine(long id) {
        return machines.get(id);
    }

    void start(long id, long zxid, long epoch) {
        crashed.remove(id);
        emit(id, machines.get(id).start(zxid, epoch));
    }

    /** Delivers queued messages, including the ones deliveries produce, until none are left. */
    void deliverAll() {
        while (!inFlight.isEmpty()) {
            Outgoing o = inFlight.pollFirst();
            long from = o.notification().sid();
            if (!canTalk(from, o.to())) {
                if (logMessages) {
                    log.add("drop " + o);
                }
                continue;
            }
            if (logMessages) {
                log.add("recv " + o);
            }
            emit(o.to(), machines.get(o.to()).receive(o.notification()));
        }
    }

    void tick() {
        for (Map.Entry<Long, ElectionStateMachine> e : machines.entrySet()) {
            if (!crashed.contains(e.getKey())) {
                emit(e.getKey(), e.getValue().tick());
            }
        }
    }

    /** Delivers everything, then ticks, {@code ticks} times: enough for settle waits and resends to play out. */
    void run(int ticks) {
        deliverAll();
        for (int i = 0; i < ticks; i++) {
            tick();
            deliverAll();
        }
    }

    /** Splits the servers into groups that only talk within themselves. */
    void partition(List<Set<Long>> groups) {
        groupOf.clear();
        for (int g = 0; g < groups.size(); g++) {
            for (long id : groups.get(g)) {
                groupOf.put(id, g);
            }
        }
    }

    void heal() {
        groupOf.clear();
    }

    /** The server stops: it neither sends nor receives until started again. */
    void crash(long id) {
        crashed.add(id);
    }

    Optional<Decision> decision(long id) {
        return machines.get(id).decision();
    }

    ServerState state(long id) {
        return machines.get(id).state();
    }

    List<String> takeLog() {
        List<String> out = List.copyOf(log);
        log.clear();
        return out;
    }

    Set<Long> observers() {
        return observers;
    }

    Set<Long> ids() {
        return machines.keySet();
    }

    private boolean canTalk(long a, long b) {
        if (crashed.contains(a) || crashed.contains(b)) {
            return false;
        }
        return groupOf.getOrDefault(a, -1).equals(groupOf.getOrDefault(b, -1));
    }

    private void emit(long id, ElectionOutput out) {
        inFlight.addAll(out.messages());
        if (logMessages) {
            out.messages().forEach(o -> log.add("  send " + o));
        }
        out.decision().ifPresent(d -> log.add("  " + id + " decided " + d));
    }
}
