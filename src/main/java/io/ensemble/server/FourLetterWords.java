package io.ensemble.server;

import io.ensemble.config.ServerConfig;
import io.ensemble.fault.WallClock;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * The four-letter words on the client port. Known only on the first four bytes of a new connection; a known word
 * that is not whitelisted gets ZooKeeper's refusal text. Each report is built by {@link Reports} (shared with the
 * JSON admin commands) from a {@link ServerSnapshot} taken on the processor thread; this class only renders text.
 */
final class FourLetterWords {
    static final Set<String> KNOWN = Set.of("ruok", "srvr", "stat", "conf", "cons", "crst", "dump", "envi", "srst",
            "wchs", "wchc", "wchp", "mntr", "isro", "dirs", "gtmk", "stmk", "hash");

    private FourLetterWords() {
    }

    /** The word spelled by a connection's first int, or null if it is a frame length. */
    static String wordOf(int first) {
        byte[] b = {(byte) (first >>> 24), (byte) (first >>> 16), (byte) (first >>> 8), (byte) first};
        String word = new String(b, StandardCharsets.ISO_8859_1);
        return KNOWN.contains(word) ? word : null;
    }

    static final String NOT_SERVING = "This ZooKeeper instance is not currently serving requests\n";

    /**
     * The answer of a running server that is not in a synced quorum (electing, or syncing with its leader). As
     * ZooKeeper: ruok still says imok (it checks the process, not the quorum), envi needs no data, isro says null.
     */
    static String notServing(String word, ServerConfig config) {
        if (!config.isFourLetterWordAllowed(word)) {
            return word + " is not executed because it is not in the whitelist.\n";
        }
        return switch (word) {
            case "ruok" -> "imok";
            case "envi" -> lines("Environment:\n", Reports.environment(), "=");
            case "isro" -> "null";
            default -> NOT_SERVING;
        };
    }

    static String run(String word, ServerSnapshot s, ServerConfig config) {
        if (!config.isFourLetterWordAllowed(word)) {
            return word + " is not executed because it is not in the whitelist.\n";
        }
        return switch (word) {
            case "ruok" -> "imok";
            case "srvr" -> srvr(s, false);
            case "stat" -> srvr(s, true);
            case "conf" -> conf(config, s.clientPort());
            case "envi" -> lines("Environment:\n", Reports.environment(), "=");
            case "mntr" -> mntr(s);
            case "isro" -> "rw";
            case "cons" -> cons(s);
            case "wchs" -> wchs(s);
            case "wchc" -> wchc(s);
            case "wchp" -> wchp(s);
            case "dump" -> dump(s);
            case "srst" -> {
                s.stats().reset();
                yield "Server stats reset.\n";
            }
            case "crst" -> "Connection stats reset.\n";
            case "gtmk" -> "0\n";
            case "stmk" -> "0\n";
            case "dirs" -> "datadir_size: 0\nlogdir_size: 0\n";
            case "hash" -> "Digest computation is not enabled.\n";
            default -> word + " is not supported by this server yet.\n";
        };
    }

    private static String srvr(ServerSnapshot s, boolean withClients) {
        Map<String, Object> r = Reports.serverStats(s);
        @SuppressWarnings("unchecked")
        Map<String, Object> st = (Map<String, Object>) r.get("server_stats");
        StringBuilder b = new StringBuilder();
        b.append("Zookeeper version: ").append(r.get("version")).append('\n');
        if (withClients) {
            b.append("Clients:\n");
            for (Map<String, Object> c : Reports.connections(s, true)) {
                b.append(' ').append(c.get("remote_socket_address")).append("[1](queued=0,recved=")
                        .append(c.get("packets_received")).append(",sent=").append(c.get("packets_sent"))
                        .append(")\n");
            }
            b.append('\n');
        }
        b.append("Latency min/avg/max: ").append(st.get("min_latency")).append('/')
                .append(String.format("%.4f", (Double) st.get("avg_latency"))).append('/')
                .append(st.get("max_latency")).append('\n');
        b.append("Received: ").append(st.get("packets_received")).append('\n');
        b.append("Sent: ").append(st.get("packets_sent")).append('\n');
        b.append("Connections: ").append(st.get("num_alive_client_connections")).append('\n');
        b.append("Outstanding: ").append(st.get("outstanding_requests")).append('\n');
        b.append("Zxid: 0x").append(Long.toHexString((Long) st.get("last_processed_zxid"))).append('\n');
        b.append("Mode: ").append(st.get("server_state")).append('\n');
        b.append("Node count: ").append(r.get("node_count")).append('\n');
        return b.toString();
    }

    private static String cons(ServerSnapshot s) {
        StringBuilder b = new StringBuilder();
        for (Map<String, Object> c : Reports.connections(s, false)) {
            b.append(' ').append(c.get("remote_socket_address")).append("[1](queued=0,recved=")
                    .append(c.get("packets_received")).append(",sent=").append(c.get("packets_sent"));
            if (c.containsKey("session_id")) {
                b.append(",sid=").append(c.get("session_id")).append(",lop=").append(c.get("last_operation"))
                        .append(",est=").append(c.get("established")).append(",to=").append(c.get("session_timeout"))
                        .append(",lcxid=").append(c.get("last_cxid")).append(",lzxid=").append(c.get("last_zxid"))
                        .append(",lresp=").append(c.get("last_response_time")).append(",llat=")
                        .append(c.get("last_latency")).append(",minlat=").append(c.get("min_latency"))
                        .append(",avglat=").append(String.format("%.4f", (Double) c.get("avg_latency")))
                        .append(",maxlat=").append(c.get("max_latency"));
            }
            b.append(")\n");
        }
        return b.append('\n').toString();
    }

    private static String wchs(ServerSnapshot s) {
        Map<String, Object> r = Reports.watchSummary(s);
        return r.get("num_connections") + " connections watching " + r.get("num_paths") + " paths\n"
                + "Total watches:" + r.get("num_total_watches") + "\n";
    }

    private static String wchc(ServerSnapshot s) {
        StringBuilder b = new StringBuilder();
        Reports.watchesBySession(s).forEach((sid, paths) -> {
            b.append("0x").append(Long.toHexString(sid)).append('\n');
            paths.forEach(p -> b.append('\t').append(p).append('\n'));
        });
        return b.toString();
    }

    private static String wchp(ServerSnapshot s) {
        StringBuilder b = new StringBuilder();
        Reports.watchesByPath(s).forEach((path, sids) -> {
            b.append(path).append('\n');
            sids.forEach(sid -> b.append("\t0x").append(Long.toHexString(sid)).append('\n'));
        });
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    private static String dump(ServerSnapshot s) {
        Map<String, Object> r = Reports.dump(s);
        Map<Long, Set<Long>> byExpiry = (Map<Long, Set<Long>>) r.get("expiry_time_to_session_ids");
        Map<Long, Set<String>> ephemerals = (Map<Long, Set<String>>) r.get("session_id_to_ephemeral_paths");
        StringBuilder b = new StringBuilder("SessionTracker dump:\nSession Sets (").append(byExpiry.size())
                .append(")/(").append(s.sessionCount()).append("):\n");
        byExpiry.forEach((at, sids) -> {
            // expiry runs on the monotonic clock (SessionTracker.monotonicMillis); shown as a date
            b.append(sids.size()).append(" expire at ")
                    .append(new java.util.Date(WallClock.toWallMillis(at * 1_000_000L))).append(":\n");
            sids.forEach(sid -> b.append("\t0x").append(Long.toHexString(sid)).append('\n'));
        });
        b.append("ephemeral nodes dump:\nSessions with Ephemerals (").append(ephemerals.size()).append("):\n");
        ephemerals.forEach((id, paths) -> {
            b.append("0x").append(Long.toHexString(id)).append(":\n");
            paths.forEach(p -> b.append('\t').append(p).append('\n'));
        });
        return b.toString();
    }

    private static String conf(ServerConfig c, int boundPort) {
        StringBuilder b = new StringBuilder();
        for (Reports.ConfEntry e : Reports.configuration(c, boundPort)) {
            b.append(e.key()).append('=').append(e.value()).append('\n');
        }
        return b.toString();
    }

    private static String mntr(ServerSnapshot s) {
        StringBuilder b = new StringBuilder();
        Reports.monitor(s).forEach((k, v) -> b.append("zk_").append(k).append('\t')
                .append(v instanceof Double d ? String.format("%.4f", d) : v).append('\n'));
        return b.toString();
    }

    private static String lines(String header, Map<String, Object> entries, String sep) {
        StringBuilder b = new StringBuilder(header);
        entries.forEach((k, v) -> b.append(k).append(sep).append(v).append('\n'));
        return b.toString();
    }
}
