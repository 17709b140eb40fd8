package io.ensemble.quorum.zab;

import io.ensemble.txn.LoggedTxn;
import io.ensemble.txn.Txn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Servers running ZAB cores in one thread over a {@link SimNetwork}, acting as their drivers. Checks the safety
 * invariant after every Ready ({@link CommitLedger}): one committed sequence, and every serving tree a prefix of it.
 */
final class SimCluster {
    private final Map<Long, SimServer> servers = new TreeMap<>();
    private final Map<Long, ZabSettings> settings = new HashMap<>();
    private final SimNetwork network;
    private final CommitLedger ledger = new CommitLedger(this::context);
    final List<String> trace = new ArrayList<>();
    private int connections;
    private int proposals;

    SimCluster(Set<Long> voters, Set<Long> observers, int initLimit, int syncLimit, int commitLogCount) {
        Set<Long> all = new HashSet<>(voters);
        all.addAll(observers);
        network = new SimNetwork(all);
        for (long id : all) {
            servers.put(id, new SimServer(id));
            settings.put(id, new ZabSettings(id, voters, observers, initLimit, syncLimit, commitLogCount));
        }
    }

    SimServer server(long id) {
        return servers.get(id);
    }

    /** Starts {@code id} leading; its followers join through {@link #follow}. */
    void lead(long id) {
        SimServer s = servers.get(id);
        s.leader = new LeaderCore(settings.get(id), s.persisted(settings.get(id).commitLogCount()));
        trace.add(id + " leads");
        process(s, s.leader.start());
    }

    /** Connects {@code id} to the leader core running on {@code leaderId}; false if there is none. */
    boolean follow(long id, long leaderId) {
        SimServer s = servers.get(id);
        SimServer l = servers.get(leaderId);
        if (l.leader == null || !l.up) {
            return false;
        }
        s.learner = new LearnerCore(settings.get(id), leaderId, s.persisted(0), List::of);
        s.learnerConn = new SimConnection(++connections, leaderId, id, s.learner);
        trace.add(id + " follows " + leaderId);
        process(s, s.learner.start());
        return true;
    }

    /** One round of leader election; see {@link SimElection}. {@code random} picks the quorum, null takes all. */
    void elect(Random random) {
        SimElection.round(this, random);
    }

    ZabSettings settings(long id) {
        return settings.get(id);
    }

    int group(long id) {
        return network.group(id);
    }

    boolean reachable(long a, long b) {
        return network.reachable(a, b);
    }

    /** Cuts the network: servers in {@code side} can only reach each other. */
    void partition(Set<Long> side) {
        network.partition(side);
        trace.add("partition " + side);
    }

    void heal() {
        network.heal();
        trace.add("heal");
    }

    void tick(long id) {
        SimServer s = servers.get(id);
        if (s.leader != null) {
            process(s, s.leader.tick());
        } else if (s.learner != null) {
            process(s, s.learner.tick());
        }
    }

    void tickAll() {
        servers.keySet().forEach(this::tick);
    }

    /** The server's log finishes an fsync of everything appended so far. */
    void fsync(long id) {
        SimServer s = servers.get(id);
        if (!s.up || s.durableCount == s.log.size()) {
            return;
        }
        s.durableCount = s.log.size();
        process(s, s.leader != null ? s.leader.durable(s.lastZxid())
                : s.learner != null ? s.learner.durable(s.lastZxid()) : ZabReady.NONE);
    }

    void fsyncAll() {
        servers.keySet().forEach(this::fsync);
    }

    /** Proposes a write on {@code id}, which must be an established leader; false if it is not. */
    boolean propose(long id) {
        SimServer s = servers.get(id);
        if (s.leader == null || !s.leader.isEstablished()) {
            return false;
        }
        int n = ++proposals;
        process(s, s.leader.propose(0x100 + n, n, n, 5, new Txn.SetData("/k", new byte[] {(byte) n}, n)));
        return true;
    }

    void crash(long id) {
        SimServer s = servers.get(id);
        closeAll(s);
        s.crash();
        trace.add(id + " crashes");
    }

    void restart(long id) {
        servers.get(id).restart();
        trace.add(id + " restarts");
    }

    /** Delivers the oldest deliverable message of every connection until none is left; false if none was. */
    boolean deliverAll() {
        boolean any = false;
        while (deliverOne(null)) {
            any = true;
        }
        return any;
    }

    /** Delivers the head of one connection with a deliverable message (a random one, or the oldest if null). */
    boolean deliverOne(Random random) {
        SimNetwork.Envelope e = network.take(random);
        if (e != null) {
            deliver(e);
        }
        return e != null;
    }

    private void deliver(SimNetwork.Envelope e) {
        SimServer to = servers.get(e.to());
        SimConnection c = e.conn();
        if (!to.up || c.closedBy(e.to())) {
            return;
        }
        boolean toLeader = e.to() == c.leader;
        if (e.isClose()) {
            c.closeBy(e.to());
            if (toLeader && to.leader != null && to.leaderConns.get(c.learner) == c) {
                to.leaderConns.remove(c.learner);
                process(to, to.leader.disconnected(c.learner));
            } else if (!toLeader && to.learnerConn == c) {
                process(to, to.learner.disconnected());
            }
            return;
        }
        trace.add(e.from() + "->" + e.to() + " " + ZabTranscript.describe(e.message()));
        if (toLeader) {
            if (to.leader == null) {
                return;
            }
            if (to.leaderConns.get(c.learner) != c) {
                if (!(e.message() instanceof ZabMessage.FollowerInfo || e.message() instanceof ZabMessage.ObserverInfo)) {
                    return;
                }
                SimConnection old = to.leaderConns.put(c.learner, c);
                if (old != null) {
                    network.close(old, to.id);
                }
            }
            process(to, to.leader.step(e.from(), e.message()));
        } else if (to.learnerConn == c) {
            if (e.message() instanceof ZabMessage.Snap snap) {
                to.loadSnapshot(e.snapshot(), snap.zxid());
            }
            process(to, to.learner.step(e.from(), e.message()));
        }
    }

    private void send(SimServer from, Outbound o) {
        SimConnection c = from.leader != null ? from.leaderConns.get(o.to()) : from.learnerConn;
        if (c == null || c.closedBy(from.id)) {
            return;
        }
        List<LoggedTxn> snapshot = o.message() instanceof ZabMessage.Snap ? List.copyOf(from.tree) : null;
        network.send(c, from.id, o.to(), o.message(), snapshot);
    }

    private void closeAll(SimServer s) {
        if (s.learnerConn != null) {
            network.close(s.learnerConn, s.id);
        }
        s.leaderConns.values().forEach(c -> network.close(c, s.id));
    }

    /** Carries out a Ready in the documented order, then checks the invariant. */
    private void process(SimServer s, ZabReady r) {
        String summary = ZabTranscript.summary(r);
        if (!summary.isEmpty()) {
            trace.add("  " + s.id + summary);
        }
        r.truncateTo().ifPresent(s::truncate);
        r.acceptedEpoch().ifPresent(e -> s.acceptedEpoch = e);
        r.currentEpoch().ifPresent(e -> s.currentEpoch = e);
        s.log.addAll(r.persist());
        for (LoggedTxn t : r.apply()) {
            s.tree.add(t);
            if (s.leader != null) {
                ledger.leaderApplied(t);
            }
        }
        r.messages().forEach(o -> send(s, o));
        for (ZabEvent ev : r.events()) {
            trace.add(s.id + " " + ev);
            switch (ev) {
                case ZabEvent.Established est -> {
                    s.serving = true;
                    ledger.established(s.id, s.log);
                }
                case ZabEvent.Serving sv -> s.serving = true;
                case ZabEvent.Looking l -> {
                    closeAll(s);
                    s.leader = null;
                    s.learner = null;
                    s.learnerConn = null;
                    s.leaderConns.clear();
                    s.serving = false;
                }
                case ZabEvent.DropLearner d -> {
                    SimConnection c = s.leaderConns.remove(d.sid());
                    if (c != null) {
                        network.close(c, s.id);
                    }
                }
                default -> {
                }
            }
        }
        checkServingTrees();
    }

    private void checkServingTrees() {
        servers.values().stream().filter(s -> s.up && s.serving).forEach(s -> ledger.serving(s.id, s.tree));
    }

    private String context() {
        return "servers: " + servers.values() + "\nlast events:\n"
                + String.join("\n", trace.subList(Math.max(0, trace.size() - 60), trace.size()));
    }

    /** Runs a driver call on one server's core (a learner's sync(), a leader's revalidated(), ...). */
    void act(long id, java.util.function.Function<SimServer, ZabReady> call) {
        SimServer s = servers.get(id);
        process(s, call.apply(s));
    }

    /** Delivers and fsyncs until nothing moves. */
    void stabilize() {
        for (int i = 0; i < 10_000; i++) {
            boolean moved = deliverAll();
            long unsynced = servers.values().stream().filter(s -> s.up && s.durableCount < s.log.size()).count();
            fsyncAll();
            if (!moved && unsynced == 0) {
                return;
            }
        }
        throw new AssertionError("no quiescence\n" + context());
    }

    List<LoggedTxn> committed() {
        return ledger.committed;
    }

    List<SimServer> servers() {
        return List.copyOf(servers.values());
    }
}
