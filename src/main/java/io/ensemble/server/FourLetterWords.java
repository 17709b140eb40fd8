package io.ensemble.server;

import io.ensemble.config.ServerConfig;
import io.ensemble.session.Session;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The four-letter words on the client port. Known only on the first four bytes of a new connection; a known word
 * that is not whitelisted gets ZooKeeper's refusal text. Reports are built on the processor thread from a
 * {@link ServerSnapshot}.
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

    static String run(String word, ServerSnapshot s, ServerConfig config) {
        if (!config.isFourLetterWordAllowed(word)) {
            return word + " is not executed because it is not in the whitelist.\n";
        }
        return switch (word) {
            case "ruok" -> "imok";
            case "srvr" -> srvr(s, false);
            case "stat" -> srvr(s, true);
            case "conf" -> conf(config, s.clientPort());
            case "envi" -> envi();
            case "mntr" -> mntr(s);
            case "isro" -> "rw";
            case "cons" -> cons(s);
            case "wchs" -> s.watchingConnections() + " connections watching " + s.watchedPaths() + " paths\n"
                    + "Total watches:" + s.watchCount() + "\n";
            case "dump" -> dump(s);
            case "srst" -> {
                s.stats().reset();
                yield "Server stats reset.\n";
            }
            case "crst" -> "Connection stats reset.\n";
            case "gtmk" -> "0\n";
            default -> word + " is not supported by this server yet.\n";
        };
    }

    private static String srvr(ServerSnapshot s, boolean withClients) {
        StringBuilder b = new StringBuilder();
        b.append("Zookeeper version: ").append(Version.FULL).append(", built on ").append(Version.ENSEMBLE)
                .append('\n');
        if (withClients) {
            b.append("Clients:\n");
            for (ClientConnection c : s.connections()) {
                b.append(' ').append(clientLine(c)).append('\n');
            }
            b.append('\n');
        }
        LatencyStats l = s.stats().latency();
        b.append("Latency min/avg/max: ").append(l.min()).append('/').append(String.format("%.4f", l.avg()))
                .append('/').append(l.max()).append('\n');
        b.append("Received: ").append(s.stats().packetsReceived()).append('\n');
        b.append("Sent: ").append(s.stats().packetsSent()).append('\n');
        b.append("Connections: ").append(s.connections().size()).append('\n');
        b.append("Outstanding: ").append(s.stats().outstandingRequests()).append('\n');
        b.append("Zxid: 0x").append(Long.toHexString(s.lastZxid())).append('\n');
        b.append("Mode: ").append(s.mode()).append('\n');
        b.append("Node count: ").append(s.nodeCount()).append('\n');
        return b.toString();
    }

    private static String clientLine(ClientConnection c) {
        return c.remote().toString().replaceFirst("^[^/]*", "") + "[1](queued=0,recved="
                + c.stats.receivedCount() + ",sent=" + c.stats.sentCount() + ")";
    }

    private static String cons(ServerSnapshot s) {
        StringBuilder b = new StringBuilder();
        for (ClientConnection c : s.connections()) {
            Session session = c.session();
            ConnectionStats st = c.stats;
            b.append(' ').append(c.remote().toString().replaceFirst("^[^/]*", "")).append("[1](queued=0,recved=")
                    .append(st.receivedCount()).append(",sent=").append(st.sentCount());
            if (session != null) {
                b.append(",sid=0x").append(Long.toHexString(session.id())).append(",lop=").append(st.lastOp())
                        .append(",est=").append(st.established).append(",to=").append(c.negotiatedTimeout())
                        .append(",lcxid=0x").append(Integer.toHexString(st.lastCxid())).append(",lzxid=0x")
                        .append(Long.toHexString(st.lastZxid())).append(",lresp=0,llat=")
                        .append(st.latency().max()).append(",minlat=").append(st.latency().min())
                        .append(",avglat=").append(String.format("%.4f", st.latency().avg())).append(",maxlat=")
                        .append(st.latency().max());
            }
            b.append(")\n");
        }
        return b.append('\n').toString();
    }

    private static String dump(ServerSnapshot s) {
        StringBuilder b = new StringBuilder("SessionTracker dump:\nSession Sets (").append(s.sessionCount())
                .append(")/(").append(s.sessionCount()).append("):\n");
        b.append("ephemeral nodes dump:\nSessions with Ephemerals (").append(s.ephemerals().size()).append("):\n");
        s.ephemerals().forEach((id, paths) -> {
            b.append("0x").append(Long.toHexString(id)).append(":\n");
            paths.forEach(p -> b.append('\t').append(p).append('\n'));
        });
        return b.toString();
    }

    private static String conf(ServerConfig c, int boundPort) {
        Map<String, Object> out = new TreeMap<>();
        out.put("clientPort", boundPort);
        out.put("secureClientPort", -1);
        out.put("dataDir", c.dataDir().toAbsolutePath());
        out.put("dataDirSize", 0);
        out.put("dataLogDir", c.dataLogDir().toAbsolutePath());
        out.put("dataLogSize", 0);
        out.put("tickTime", c.tickTime());
        out.put("maxClientCnxns", c.maxClientCnxns());
        out.put("minSessionTimeout", c.minSessionTimeout());
        out.put("maxSessionTimeout", c.maxSessionTimeout());
        out.put("clientPortListenBacklog", -1);
        out.put("serverId", c.serverId());
        if (c.clientPortAddress() != null) {
            out.put("clientPortAddress", c.clientPortAddress());
        }
        StringBuilder b = new StringBuilder();
        out.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        return b.toString();
    }

    private static String envi() {
        StringBuilder b = new StringBuilder("Environment:\n");
        line(b, "zookeeper.version", Version.FULL + ", built on " + Version.ENSEMBLE);
        line(b, "host.name", hostName());
        for (String key : List.of("java.version", "java.vendor", "java.home", "java.class.path",
                "java.library.path", "java.io.tmpdir", "os.name", "os.arch", "os.version", "user.name",
                "user.home", "user.dir")) {
            line(b, key, System.getProperty(key, "<NA>"));
        }
        Runtime rt = Runtime.getRuntime();
        line(b, "os.memory.free", rt.freeMemory() / (1024 * 1024) + "MB");
        line(b, "os.memory.max", rt.maxMemory() / (1024 * 1024) + "MB");
        line(b, "os.memory.total", rt.totalMemory() / (1024 * 1024) + "MB");
        return b.toString();
    }

    private static String mntr(ServerSnapshot s) {
        StringBuilder b = new StringBuilder();
        LatencyStats l = s.stats().latency();
        tab(b, "zk_version", Version.FULL + ", built on " + Version.ENSEMBLE);
        tab(b, "zk_server_state", s.mode());
        tab(b, "zk_avg_latency", String.format("%.4f", l.avg()));
        tab(b, "zk_max_latency", l.max());
        tab(b, "zk_min_latency", l.min());
        tab(b, "zk_packets_received", s.stats().packetsReceived());
        tab(b, "zk_packets_sent", s.stats().packetsSent());
        tab(b, "zk_num_alive_connections", s.connections().size());
        tab(b, "zk_outstanding_requests", s.stats().outstandingRequests());
        tab(b, "zk_znode_count", s.nodeCount());
        tab(b, "zk_watch_count", s.watchCount());
        tab(b, "zk_ephemerals_count", s.ephemeralCount());
        tab(b, "zk_approximate_data_size", s.approximateDataSize());
        tab(b, "zk_global_sessions", s.sessionCount());
        tab(b, "zk_uptime", s.stats().uptimeMillis());
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            tab(b, "zk_open_file_descriptor_count", unix.getOpenFileDescriptorCount());
            tab(b, "zk_max_file_descriptor_count", unix.getMaxFileDescriptorCount());
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String k, Object v) {
        b.append(k).append('=').append(v).append('\n');
    }

    private static void tab(StringBuilder b, String k, Object v) {
        b.append(k).append('\t').append(v).append('\n');
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "<NA>";
        }
    }
}
