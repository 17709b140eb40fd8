package io.ensemble.admin;

import io.ensemble.server.EnsembleServer;
import io.ensemble.server.QuorumReports;
import io.ensemble.server.Reports;
import io.ensemble.server.ServerSnapshot;
import io.ensemble.storage.Snapshotter;
import io.ensemble.storage.Storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * ZooKeeper's AdminServer commands, by primary name and alias, each answering an ordered map with ZooKeeper's
 * field names. The reports are the ones the four-letter words print ({@link Reports}); the quorum commands (leader,
 * voting_view, zabstate, observers) read the quorum facts of the same processor-thread snapshot
 * ({@link QuorumReports}). Plain Java: the HTTP resource only maps the outcome to a status code.
 */
public final class AdminCommands {
    /** ZooKeeper's text for a command that needs a serving server. */
    public static final String NOT_SERVING = "This ZooKeeper instance is not currently serving requests";

    /** What a command needs to run. */
    public interface Context {
        EnsembleServer server();

        /** A snapshot taken on the processor thread (bounded wait). */
        ServerSnapshot snapshot();

        /** The last published role and its details; null before the first. */
        ServerStateChanged state();
    }

    /**
     * @param name           primary name (the response's "command")
     * @param aliases        other names, the four-letter word among them
     * @param serverRequired whether it only makes sense while the server serves (all but environment and conf)
     */
    public record Command(String name, List<String> aliases, boolean serverRequired,
                          Function<Context, Map<String, Object>> run) {
    }

    /** The outcome: the JSON body and whether the server was serving (the resource maps it to 200 / 503). */
    public record Outcome(Map<String, Object> body, boolean serving) {
    }

    private final Map<String, Command> byName = new LinkedHashMap<>();
    private final List<Command> commands = new ArrayList<>();

    public AdminCommands() {
        add("ruok", List.of(), true, c -> new LinkedHashMap<>());
        add("server_stats", List.of("srvr"), true, c -> Reports.serverStats(c.snapshot()));
        add("stats", List.of("stat"), true, c -> {
            ServerSnapshot s = c.snapshot();
            Map<String, Object> m = Reports.serverStats(s);
            m.put("connections", Reports.connections(s, true));
            m.put("secure_connections", List.of());
            return m;
        });
        add("monitor", List.of("mntr"), true, c -> Reports.monitor(c.snapshot()));
        add("configuration", List.of("conf", "config"), false, c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            Reports.configuration(c.server().config(), c.server().clientPort())
                    .forEach(e -> m.put(e.jsonKey(), e.value()));
            return m;
        });
        add("connections", List.of("cons"), true, c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("connections", Reports.connections(c.snapshot(), false));
            m.put("secure_connections", List.of());
            return m;
        });
        add("environment", List.of("env", "envi"), false, c -> Reports.environment());
        add("watch_summary", List.of("wchs"), true, c -> Reports.watchSummary(c.snapshot()));
        add("watches", List.of("wchc"), true, c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("session_id_to_watched_paths", stringKeys(Reports.watchesBySession(c.snapshot())));
            return m;
        });
        add("watches_by_path", List.of("wchp"), true, c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path_to_session_ids", Reports.watchesByPath(c.snapshot()));
            return m;
        });
        add("dump", List.of(), true, c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            Reports.dump(c.snapshot()).forEach((k, v) -> m.put(k, stringKeys((Map<?, ?>) v)));
            return m;
        });
        add("is_read_only", List.of("isro"), true, c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("read_only", false);
            return m;
        });
        add("leader", List.of("lead"), true, c -> QuorumReports.leader(c.snapshot().quorum(), c.server().config()));
        add("voting_view", List.of(), true,
                c -> QuorumReports.votingView(c.server().config(), c.server().clientPort()));
        add("zabstate", List.of(), true, c -> {
            ServerSnapshot s = c.snapshot();
            return QuorumReports.zabState(s.quorum(), c.server().config(), s.lastZxid(), s.clientPort());
        });
        add("last_snapshot", List.of("lsnp"), true, c -> lastSnapshot(c.server()));
        add("stat_reset", List.of("srst"), true, c -> {
            c.server().stats().reset();
            return new LinkedHashMap<>();
        });
        add("connection_stat_reset", List.of("crst"), true, c -> new LinkedHashMap<>());
        add("get_trace_mask", List.of("gtmk"), true, c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tracemask", 0);
            return m;
        });
        add("observers", List.of("obsr"), true,
                c -> QuorumReports.observers(c.snapshot().quorum(), c.server().config()));
        add("system_properties", List.of("sysp"), false, c -> {
            Map<String, Object> m = new TreeMap<>();
            System.getProperties().forEach((k, v) -> m.put(String.valueOf(k), String.valueOf(v)));
            return m;
        });
    }

    private void add(String name, List<String> aliases, boolean serverRequired,
                     Function<Context, Map<String, Object>> run) {
        Command c = new Command(name, aliases, serverRequired, run);
        commands.add(c);
        byName.put(name, c);
        aliases.forEach(a -> byName.put(a, c));
    }

    /** Every command in registration order. */
    public List<Command> all() {
        return List.copyOf(commands);
    }

    public Optional<Command> find(String nameOrAlias) {
        return Optional.ofNullable(byName.get(nameOrAlias));
    }

    /**
     * Runs a command. Not serving: a command that needs the server answers only "command" and the error; the
     * others answer their fields too, and the outcome still says "not serving".
     */
    public Outcome run(Command command, Context context, boolean serving) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (serving || !command.serverRequired()) {
            body.putAll(command.run().apply(context));
        }
        body.put("command", command.name());
        body.put("error", serving ? null : NOT_SERVING);
        return new Outcome(body, serving);
    }

    /** A context over a live server; snapshots wait at most {@code timeoutMillis} for the pipeline. */
    public static Context context(EnsembleServer server, ServerState state, long timeoutMillis) {
        return new Context() {
            private ServerSnapshot snapshot;

            @Override
            public EnsembleServer server() {
                return server;
            }

            @Override
            public ServerSnapshot snapshot() {
                if (snapshot == null) {
                    try {
                        snapshot = server.inspectAsync(s -> s).get(timeoutMillis, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new PipelineTimeout("interrupted while waiting for the request pipeline");
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("report failed", e.getCause());
                    } catch (TimeoutException e) {
                        throw new PipelineTimeout("the request pipeline did not answer within " + timeoutMillis
                                + " ms");
                    }
                }
                return snapshot;
            }

            @Override
            public ServerStateChanged state() {
                return state.current();
            }
        };
    }

    /** The pipeline did not produce a snapshot in time: the server is not serving in any useful sense. */
    public static final class PipelineTimeout extends RuntimeException {
        PipelineTimeout(String message) {
            super(message);
        }
    }

    /** ZooKeeper's last_snapshot: zxid (hex) and timestamp (seconds) of the newest snapshot taken or found. */
    private static Map<String, Object> lastSnapshot(EnsembleServer server) {
        Map<String, Object> m = new LinkedHashMap<>();
        Storage storage = server.storage();
        Snapshotter.Taken taken = storage == null || storage.snapshotter() == null ? null
                : storage.snapshotter().last();
        Path file = taken != null ? taken.file() : storage == null ? null : newestSnapshot(storage.snapDir());
        long zxid = taken != null ? taken.zxid() : file == null ? -1 : zxidOf(file);
        m.put("zxid", zxid < 0 ? null : "0x" + Long.toHexString(zxid));
        m.put("timestamp", file == null ? null : modifiedSeconds(file));
        return m;
    }

    private static Path newestSnapshot(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("snapshot."))
                    .filter(p -> zxidOf(p) >= 0)
                    .max((a, b) -> Long.compareUnsigned(zxidOf(a), zxidOf(b)))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static long zxidOf(Path snapshot) {
        String n = snapshot.getFileName().toString();
        try {
            return Long.parseUnsignedLong(n.substring(n.indexOf('.') + 1), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Long modifiedSeconds(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis() / 1000;
        } catch (IOException e) {
            return null;
        }
    }

    /** JSON-B writes maps with non-String keys as entry arrays; ZooKeeper (Jackson) writes the key as a string. */
    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v instanceof Set<?> s ? List.copyOf(s) : v));
        return out;
    }
}
