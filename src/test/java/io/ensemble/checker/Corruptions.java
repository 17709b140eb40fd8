package io.ensemble.checker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Injects exactly one bug into a correct simulated history, chosen so that the result is certainly wrong (not just
 * probably), and says which violation it must produce.
 */
final class Corruptions {
    /** A corrupted history, its final state per replica, and the violation it must cause. */
    record Corrupted(String name, History history, Map<String, TreeSnapshot> replicas, Violation.Kind expected,
                     ReadConsistency reads, Operation culprit) {
    }

    /** Every corruption, by name. */
    static final Map<String, BiFunction<SimulatedEnsemble.Simulated, SplittableRandom, Optional<Corrupted>>> ALL =
            all();

    private Corruptions() {
    }

    private static Map<String, BiFunction<SimulatedEnsemble.Simulated, SplittableRandom, Optional<Corrupted>>> all() {
        Map<String, BiFunction<SimulatedEnsemble.Simulated, SplittableRandom, Optional<Corrupted>>> all =
                new LinkedHashMap<>();
        all.put("session reads older than its own write", Corruptions::staleSessionRead);
        all.put("read older than a completed write (linearizable reads)", Corruptions::staleLinearizableRead);
        all.put("final state lost the last write", Corruptions::lostWrite);
        all.put("final state lost a sequential node", Corruptions::vanishedSequentialNode);
        all.put("CAS succeeded twice on one version", Corruptions::duplicateCas);
        all.put("zxids contradict real time", Corruptions::reorderedWrites);
        all.put("reply overtook an earlier one", Corruptions::fifoInversion);
        all.put("sequential name handed out twice", Corruptions::duplicateSequentialName);
        all.put("replica diverged", Corruptions::divergedReplica);
        return all;
    }

    /** A session reads the state before its own acknowledged write. */
    static Optional<Corrupted> staleSessionRead(SimulatedEnsemble.Simulated sim, SplittableRandom random) {
        Map<String, List<Operation>> chains = chains(sim.history());
        List<Operation[]> candidates = new ArrayList<>();
        for (List<Operation> session : sim.history().bySession().values()) {
            Map<String, Operation> ownWrite = new HashMap<>();
            for (Operation op : session) {
                if (op.kind() == OpKind.READ && op.isOk() && ownWrite.containsKey(op.path())) {
                    Operation before = predecessor(chains, ownWrite.get(op.path()));
                    if (before != null) {
                        candidates.add(new Operation[]{op, before});
                    }
                }
                if (op.isAcknowledgedUpdate() && op.zxid() != Result.UNKNOWN) {
                    ownWrite.put(op.register(), op);
                }
            }
        }
        return pick(candidates, random).map(c -> corrupted("session reads older than its own write", sim,
                readsStateOf(c[0], c[1]), Violation.Kind.SESSION_WENT_BACKWARDS, ReadConsistency.SEQUENTIAL));
    }

    /** A read returns the state that an update had overwritten before the read was invoked. */
    static Optional<Corrupted> staleLinearizableRead(SimulatedEnsemble.Simulated sim, SplittableRandom random) {
        Map<String, List<Operation>> chains = chains(sim.history());
        List<Operation[]> candidates = new ArrayList<>();
        for (Operation r : sim.history().operations()) {
            if (r.kind() != OpKind.READ || !r.isOk()) {
                continue;
            }
            for (Operation w2 : chains.getOrDefault(r.path(), List.of())) {
                Operation w1 = predecessor(chains, w2);
                if (w1 != null && w2.completeNanos() < r.invokeNanos() && r.zxid() >= w2.zxid()) {
                    candidates.add(new Operation[]{r, w1});
                }
            }
        }
        return pick(candidates, random).map(c -> corrupted("read older than a completed write", sim,
                readsStateOf(c[0], c[1]), Violation.Kind.NOT_LINEARIZABLE, ReadConsistency.LINEARIZABLE));
    }

    /** The final tree holds the register as it was before its last acknowledged update. */
    static Optional<Corrupted> lostWrite(SimulatedEnsemble.Simulated sim, SplittableRandom random) {
        Map<String, List<Operation>> chains = chains(sim.history());
        List<Operation[]> candidates = new ArrayList<>();
        sim.finalState().nodes().forEach((path, node) -> {
            List<Operation> chain = chains.getOrDefault(path, List.of());
            if (!chain.isEmpty() && chain.get(chain.size() - 1).zxid() == node.mzxid()) {
                Operation before = predecessor(chains, chain.get(chain.size() - 1));
                if (before != null) {
                    candidates.add(new Operation[]{chain.get(chain.size() - 1), before});
                }
            }
        });
        return pick(candidates, random).map(c -> {
            Operation before = c[1];
            Result.Ok ok = (Result.Ok) before.result();
            Map<String, TreeSnapshot.Node> nodes = new TreeMap<>(sim.finalState().nodes());
            TreeSnapshot.Node last = nodes.get(before.register());
            nodes.put(before.register(), new TreeSnapshot.Node(before.value(), ok.version(), last.czxid(), ok.zxid()));
            return new Corrupted("final state lost the last write", sim.history(),
                    Map.of("final", TreeSnapshot.of(nodes)), Violation.Kind.LOST_WRITE, ReadConsistency.SEQUENTIAL,
                    c[0]);
        });
    }

    /** An acknowledged sequential create is missing from the final tree (nothing ever deletes those). */
    static Optional<Corrupted> vanishedSequentialNode(SimulatedEnsemble.Simulated sim, SplittableRandom random) {
        List<Operation> creates = sim.history().operations().stream()
                .filter(op -> op.kind() == OpKind.CREATE_SEQUENTIAL && op.isOk()).toList();
        return pick(creates, random).map(c -> {
            Map<String, TreeSnapshot.Node> nodes = new TreeMap<>(sim.finalState().nodes());
            nodes.remove(c.register());
            return new Corrupted("final state lost a sequential node", sim.history(),
                    Map.of("final", TreeSnapshot.of(nodes)), Violation.Kind.LOST_WRITE, ReadConsistency.SEQUENTIAL, c);
        });
    }

    /**
     * A second CAS, by a fresh session, also succeeds on the version an acknowledged CAS consumed, with the next zxid.
     * Only on registers that are never deleted, so their version cannot come back.
     */
    static Optional<Corrupted> duplicateCas(SimulatedEnsemble.Simulated sim, SplittableRandom random) {
        List<Operation> cas = sim.history().operations().stream()
                .filter(op -> op.kind() == OpKind.CAS && op.isOk() && !op.path().equals("/r0")).toList();
        return pick(cas, random).map(c -> {
            Result.Ok ok = (Result.Ok) c.result();
            Operation twin = new Operation(maxId(sim.history()) + 1, 99, 0xdeadL, OpKind.CAS, c.path(), "twin",
                    c.expectedVersion(), c.invokeNanos(), c.completeNanos(),
                    new Result.Ok(c.path(), "twin", ok.version(), ok.zxid() + 1));
            return corrupted("CAS succeeded twice on one version", sim, sim.history().plus(twin),
                    Violation.Kind.NOT_LINEARIZABLE, ReadConsistency.SEQUENTIAL, twin);
        });
    }

    /** Two setData, one completed before the other started, swap zxids. */
    static Optional<Corrupted> reorderedWrites(SimulatedEnsemble.Simulated sim, SplittableRandom random) {
        List<Operation[]> candidates = new ArrayList<>();
        for (List<Operation> chain : chains(sim.history()).values()) {
            for (int i = 1; i < chain.size(); i++) {
                Operation a = chain.get(i - 1);
                Operation b = chain.get(i);
                boolean setData = a.kind() != OpKind.CREATE && b.kind() != OpKind.CREATE;
                if (setData && a.completeNanos() < b.invokeNanos()) {
                    candidates.add(new Operation[]{a, b});
                }
            }
        }
        return pick(candidates, random).map(c -> {
            Result.Ok a = (Result.Ok) c[0].result();
            Result.Ok b = (Result.Ok) c[1].result();
            History h = sim.history()
                    .replace(c[0].withResult(new Result.Ok(a.path(), a.value(), a.version(), b.zxid())))
                    .replace(c[1].withResult(new Result.Ok(b.path(), b.value(), b.version(), a.zxid())));
            return corrupted("zxids contradict real time", sim, h, Violation.Kind.NOT_LINEARIZABLE,
                    ReadConsistency.SEQUENTIAL, c[0]);
        });
    }

    /** An operation's reply arrives after the reply to the next operation of its session. */
    static Optional<Corrupted> fifoInversion(SimulatedEnsemble.Simulated sim, SplittableRandom random) {
        List<Operation[]> candidates = new ArrayList<>();
        for (List<Operation> session : sim.history().bySession().values()) {
            for (int i = 1; i < session.size(); i++) {
                candidates.add(new Operation[]{session.get(i - 1), session.get(i)});
            }
        }
        return pick(candidates, random).map(c -> corrupted("reply overtook an earlier one", sim,
                sim.history().replace(c[0].withCompleteNanos(c[1].completeNanos() + 1)), Violation.Kind.FIFO_ORDER,
                ReadConsistency.SEQUENTIAL, c[0]));
    }

    /** A sequential create is told the name an earlier one already got. */
    static Optional<Corrupted> duplicateSequentialName(SimulatedEnsemble.Simulated sim, SplittableRandom random) {
        List<Operation> creates = sim.history().operations().stream()
                .filter(op -> op.kind() == OpKind.CREATE_SEQUENTIAL && op.isOk()).toList();
        if (creates.size() < 2) {
            return Optional.empty();
        }
        int i = 1 + random.nextInt(creates.size() - 1);
        Operation first = creates.get(random.nextInt(i));
        Operation second = creates.get(i);
        Result.Ok ok = (Result.Ok) second.result();
        Operation reused = second.withResult(new Result.Ok(first.register(), ok.value(), ok.version(), ok.zxid()));
        return Optional.of(corrupted("sequential name handed out twice", sim, sim.history().replace(reused),
                Violation.Kind.SEQUENTIAL_NAME_REUSED, ReadConsistency.SEQUENTIAL, reused));
    }

    /** A second server ends up with different data in one node. */
    static Optional<Corrupted> divergedReplica(SimulatedEnsemble.Simulated sim, SplittableRandom random) {
        List<String> paths = new ArrayList<>(sim.finalState().nodes().keySet());
        return pick(paths, random).map(path -> {
            Map<String, TreeSnapshot.Node> nodes = new TreeMap<>(sim.finalState().nodes());
            TreeSnapshot.Node n = nodes.get(path);
            nodes.put(path, new TreeSnapshot.Node(n.value() + "?", n.version(), n.czxid(), n.mzxid()));
            Map<String, TreeSnapshot> replicas = new LinkedHashMap<>();
            replicas.put("server1", sim.finalState());
            replicas.put("server2", TreeSnapshot.of(nodes));
            return new Corrupted("replica diverged", sim.history(), replicas, Violation.Kind.REPLICAS_DIVERGED,
                    ReadConsistency.SEQUENTIAL, null);
        });
    }

    /** Per register, the acknowledged updates with a zxid (creates and setData), in zxid order. */
    static Map<String, List<Operation>> chains(History history) {
        Map<String, List<Operation>> chains = new HashMap<>();
        history.operations().stream()
                .filter(op -> op.isAcknowledgedUpdate() && op.zxid() != Result.UNKNOWN)
                .sorted(Comparator.comparingLong(Operation::zxid))
                .forEach(op -> chains.computeIfAbsent(op.register(), r -> new ArrayList<>()).add(op));
        return chains;
    }

    private static Operation predecessor(Map<String, List<Operation>> chains, Operation update) {
        List<Operation> chain = chains.get(update.register());
        int i = chain.indexOf(update);
        return i > 0 ? chain.get(i - 1) : null;
    }

    /** The read, now returning the state {@code writer} left behind. */
    private static Operation readsStateOf(Operation read, Operation writer) {
        Result.Ok w = (Result.Ok) writer.result();
        return read.withResult(new Result.Ok(read.path(), writer.value(), w.version(), w.zxid()));
    }

    private static Corrupted corrupted(String name, SimulatedEnsemble.Simulated sim, Operation changed,
                                       Violation.Kind expected, ReadConsistency reads) {
        return corrupted(name, sim, sim.history().replace(changed), expected, reads, changed);
    }

    private static Corrupted corrupted(String name, SimulatedEnsemble.Simulated sim, History history,
                                       Violation.Kind expected, ReadConsistency reads, Operation culprit) {
        return new Corrupted(name, history, Map.of("final", sim.finalState()), expected, reads, culprit);
    }

    private static <T> Optional<T> pick(List<T> candidates, SplittableRandom random) {
        return candidates.isEmpty() ? Optional.empty()
                : Optional.of(candidates.get(random.nextInt(candidates.size())));
    }

    private static int maxId(History history) {
        return history.operations().stream().mapToInt(Operation::id).max().orElse(0);
    }
}
