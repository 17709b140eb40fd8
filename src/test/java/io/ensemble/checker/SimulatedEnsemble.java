package io.ensemble.checker;

import org.apache.zookeeper.KeeperException.Code;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Generates histories that are correct by construction: sessions issue one operation at a time, each takes effect
 * at a random point inside its interval against a single, linearizable tree (zxids in steps of 2, so a test can slip
 * a corrupted zxid in between), and indeterminate operations take effect at a random later point, or never.
 *
 * <p>With lagging reads, a read is answered from the tree as of a random zxid between what its session has already
 * seen and the current one, like a follower that is behind: sequentially consistent, not linearizable.
 *
 * <p>Only {@code /r0} is ever deleted (and re-created), so the other registers' versions only grow.
 */
final class SimulatedEnsemble {
    record Config(long seed, int operations, int registers, int sessions, double indeterminate, boolean laggingReads) {
        Config lagging() {
            return new Config(seed, operations, registers, sessions, indeterminate, true);
        }
    }

    /** The recorded history and the tree it left behind. */
    record Simulated(History history, TreeSnapshot finalState) {
    }

    static final String SEQUENTIAL_PREFIX = "/q/item-";
    private static final long TICK = 1_000;

    private record Event(long time, int seq, Runnable action) {
    }

    private final Config config;
    private final SplittableRandom random;
    private final PriorityQueue<Event> events = new PriorityQueue<>(
            (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Integer.compare(a.seq, b.seq));
    private int eventSeq;
    private final Map<String, TreeSnapshot.Node> tree = new TreeMap<>();
    /** Per register: the state after each zxid that changed it, for lagging reads. */
    private final Map<String, TreeMap<Long, RegisterState>> versions = new HashMap<>();
    private final long[] seenBySession;
    private final List<Operation> ops = new ArrayList<>();
    private long zxid = 0x100000000L;
    private long now;
    private long sequence;
    private int issued;

    private SimulatedEnsemble(Config config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
        this.seenBySession = new long[config.sessions()];
    }

    static Simulated run(Config config) {
        return new SimulatedEnsemble(config).simulate();
    }

    private Simulated simulate() {
        long t = TICK;
        for (int r = 0; r < config.registers(); r++) {
            // setup: session 0 creates every register, one after another
            String path = "/r" + r;
            long invoke = t;
            long applied = invoke + TICK / 2;
            Result result = apply(0, OpKind.CREATE, path, "init" + r, -1);
            ops.add(new Operation(ops.size(), 0, sessionId(0), OpKind.CREATE, path, "init" + r, -1, invoke,
                    applied + TICK / 2, result));
            t += 2 * TICK;
        }
        for (int s = 1; s < config.sessions(); s++) {
            schedule(t + random.nextLong(10 * TICK), issue(s));
        }
        while (!events.isEmpty()) {
            events.poll().action().run();
        }
        return new Simulated(History.of(ops), TreeSnapshot.of(tree));
    }

    private Runnable issue(int session) {
        return () -> {
            if (issued >= config.operations()) {
                return;
            }
            issued++;
            long invoke = now;
            OpKind kind = pickKind();
            String path = pickPath(kind);
            String value = kind == OpKind.READ || kind == OpKind.DELETE ? null : "s" + session + "-" + ops.size();
            int expected = expectedVersion(kind, path);
            long duration = TICK * (1 + random.nextInt(60));
            long complete = invoke + duration;
            boolean indeterminate = random.nextDouble() < config.indeterminate();
            int id = ops.size();
            ops.add(null); // reserve the id; filled in when it completes
            if (indeterminate) {
                boolean happens = kind.isUpdate() && random.nextBoolean();
                if (happens) {
                    schedule(invoke + 1 + random.nextLong(3 * duration), () -> apply(session, kind, path, value,
                            expected));
                }
                schedule(complete, () -> {
                    ops.set(id, new Operation(id, session, sessionId(session), kind, path, value, expected, invoke,
                            complete, new Result.Info("CONNECTIONLOSS")));
                    issue(session).run();
                });
                return;
            }
            Result[] result = new Result[1];
            schedule(invoke + 1 + random.nextLong(duration - 1),
                    () -> result[0] = apply(session, kind, path, value, expected));
            schedule(complete, () -> {
                ops.set(id, new Operation(id, session, sessionId(session), kind, path, value, expected, invoke,
                        complete, result[0]));
                schedule(complete + random.nextLong(5 * TICK), issue(session));
            });
        };
    }

    private void schedule(long time, Runnable action) {
        events.add(new Event(time, eventSeq++, () -> {
            now = time;
            action.run();
        }));
    }

    private OpKind pickKind() {
        int roll = random.nextInt(100);
        if (roll < 45) {
            return OpKind.READ;
        } else if (roll < 65) {
            return OpKind.WRITE;
        } else if (roll < 80) {
            return OpKind.CAS;
        } else if (roll < 85) {
            return OpKind.CREATE;
        } else if (roll < 90) {
            return OpKind.DELETE;
        }
        return OpKind.CREATE_SEQUENTIAL;
    }

    private String pickPath(OpKind kind) {
        if (kind == OpKind.CREATE_SEQUENTIAL) {
            return SEQUENTIAL_PREFIX;
        }
        if (kind == OpKind.DELETE || (kind == OpKind.CREATE && random.nextInt(3) > 0)) {
            return "/r0";
        }
        return "/r" + random.nextInt(config.registers());
    }

    /** Usually the version the register has now (CAS should often win), sometimes a nearby one. */
    private int expectedVersion(OpKind kind, String path) {
        if (kind != OpKind.CAS && !(kind == OpKind.DELETE && random.nextBoolean())) {
            return -1;
        }
        TreeSnapshot.Node node = tree.get(path);
        int current = node == null ? 0 : (int) node.version();
        return random.nextInt(4) == 0 ? Math.max(0, current + random.nextInt(3) - 1) : current;
    }

    /**
     * Applies the operation to the tree now and returns what the client would see. An update, even a failed one, is
     * a transaction of the leader: the server that answers it has applied everything up to it.
     */
    private Result apply(int session, OpKind kind, String path, String value, int expected) {
        Result result = applyToTree(session, kind, path, value, expected);
        if (kind.isUpdate()) {
            seen(session, zxid);
        }
        return result;
    }

    private Result applyToTree(int session, OpKind kind, String path, String value, int expected) {
        TreeSnapshot.Node node = tree.get(path);
        switch (kind) {
            case READ -> {
                RegisterState state = config.laggingReads() ? lagging(session, path) : RegisterState.of(node);
                if (!state.exists()) {
                    return new Result.Fail(Code.NONODE);
                }
                seen(session, state.mzxid());
                return new Result.Ok(path, state.value(), state.version(), state.mzxid());
            }
            case WRITE, CAS -> {
                if (node == null) {
                    return new Result.Fail(Code.NONODE);
                }
                if (kind == OpKind.CAS && node.version() != expected) {
                    return new Result.Fail(Code.BADVERSION);
                }
                long z = nextZxid();
                put(path, new TreeSnapshot.Node(value, node.version() + 1, node.czxid(), z));
                seen(session, z);
                return new Result.Ok(path, value, node.version() + 1, z);
            }
            case CREATE, CREATE_SEQUENTIAL -> {
                String name = kind == OpKind.CREATE ? path : path + String.format("%010d", sequence++);
                if (tree.containsKey(name)) {
                    return new Result.Fail(Code.NODEEXISTS);
                }
                long z = nextZxid();
                put(name, new TreeSnapshot.Node(value, 0, z, z));
                seen(session, z);
                return new Result.Ok(name, value, 0, z);
            }
            case DELETE -> {
                if (node == null) {
                    return new Result.Fail(Code.NONODE);
                }
                if (expected != -1 && node.version() != expected) {
                    return new Result.Fail(Code.BADVERSION);
                }
                long z = nextZxid();
                tree.remove(path);
                versions.computeIfAbsent(path, p -> new TreeMap<>()).put(z, RegisterState.ABSENT);
                seen(session, z);
                return new Result.Ok(path, null, Result.UNKNOWN, Result.UNKNOWN);
            }
        }
        throw new IllegalStateException(kind.name());
    }

    /** The register as of a random zxid between what the session has seen and now. */
    private RegisterState lagging(int session, String path) {
        long from = seenBySession[session];
        long asOf = from >= zxid ? zxid : from + random.nextLong(zxid - from + 1);
        seen(session, asOf);
        var entry = versions.getOrDefault(path, new TreeMap<>()).floorEntry(asOf);
        return entry == null ? RegisterState.ABSENT : entry.getValue();
    }

    private void put(String path, TreeSnapshot.Node node) {
        tree.put(path, node);
        versions.computeIfAbsent(path, p -> new TreeMap<>())
                .put(node.mzxid(), new RegisterState(true, node.value(), node.version(), node.mzxid()));
    }

    private long nextZxid() {
        zxid += 2;
        return zxid;
    }

    private void seen(int session, long z) {
        seenBySession[session] = Math.max(seenBySession[session], z);
    }

    private static long sessionId(int session) {
        return 0x100 + session;
    }
}
