package io.ensemble.server;

import io.ensemble.config.ServerConfig;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The reports behind both the four-letter words (text, {@link FourLetterWords}) and the JSON admin commands
 * ({@code io.ensemble.admin}): each is built once here as ordered maps and lists with the field names of
 * ZooKeeper's AdminServer, and each front end only renders it.
 */
public final class Reports {
    private Reports() {
    }

    /** monitor / mntr: ZooKeeper's keys without the {@code zk_} prefix the text form adds. */
    public static Map<String, Object> monitor(ServerSnapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        LatencyStats l = s.stats().latency();
        m.put("version", Version.FULL + ", built on " + Version.ENSEMBLE);
        m.put("server_state", s.mode());
        m.put("avg_latency", l.avg());
        m.put("max_latency", l.max());
        m.put("min_latency", l.min());
        m.put("packets_received", s.stats().packetsReceived());
        m.put("packets_sent", s.stats().packetsSent());
        m.put("num_alive_connections", s.connections().size());
        m.put("outstanding_requests", s.stats().outstandingRequests());
        m.put("znode_count", s.nodeCount());
        m.put("watch_count", s.watchCount());
        m.put("ephemerals_count", s.ephemeralCount());
        m.put("approximate_data_size", s.approximateDataSize());
        m.put("global_sessions", s.sessionCount());
        m.put("uptime", s.stats().uptimeMillis());
        long[] fds = fileDescriptors();
        if (fds != null) {
            m.put("open_file_descriptor_count", fds[0]);
            m.put("max_file_descriptor_count", fds[1]);
        }
        QuorumReports.monitor(m, s.quorum());
        return m;
    }

    /** server_stats / srvr: version, read_only, server_stats, client_response, node_count. */
    public static Map<String, Object> serverStats(ServerSnapshot s) {
        LatencyStats l = s.stats().latency();
        Map<String, Object> clientResponse = new LinkedHashMap<>();
        clientResponse.put("last_buffer_size", -1);
        clientResponse.put("min_buffer_size", -1);
        clientResponse.put("max_buffer_size", -1);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("packets_sent", s.stats().packetsSent());
        stats.put("packets_received", s.stats().packetsReceived());
        stats.put("last_processed_zxid", s.lastZxid());
        stats.put("outstanding_requests", s.stats().outstandingRequests());
        stats.put("server_state", s.mode());
        stats.put("avg_latency", l.avg());
        stats.put("max_latency", l.max());
        stats.put("min_latency", l.min());
        stats.put("num_alive_client_connections", s.connections().size());
        stats.put("uptime", s.stats().uptimeMillis());
        stats.put("client_response_stats", clientResponse);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", Version.FULL + ", built on " + Version.ENSEMBLE);
        m.put("read_only", false);
        m.put("server_stats", stats);
        m.put("client_response", clientResponse);
        m.put("node_count", s.nodeCount());
        return m;
    }

    /**
     * One connection as ZooKeeper's getConnectionInfo: {@code brief} (stat) stops after the packet counters, the
     * full form (cons) adds the session fields.
     */
    public static Map<String, Object> connection(ConnectionInfo c, boolean brief) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("remote_socket_address", c.remoteAddress());
        m.put("interest_ops", 1);
        m.put("outstanding_requests", 0);
        m.put("packets_received", c.packetsReceived());
        m.put("packets_sent", c.packetsSent());
        if (!brief && c.sessionId() != 0) {
            m.put("session_id", "0x" + Long.toHexString(c.sessionId()));
            m.put("last_operation", c.lastOperation());
            m.put("established", c.established());
            m.put("session_timeout", c.sessionTimeout());
            m.put("last_cxid", "0x" + Integer.toHexString(c.lastCxid()));
            m.put("last_zxid", "0x" + Long.toHexString(c.lastZxid()));
            m.put("last_response_time", 0);
            m.put("last_latency", c.maxLatency());
            m.put("min_latency", c.minLatency());
            m.put("avg_latency", c.avgLatency());
            m.put("max_latency", c.maxLatency());
        }
        return m;
    }

    public static List<Map<String, Object>> connections(ServerSnapshot s, boolean brief) {
        List<Map<String, Object>> out = new ArrayList<>();
        s.connections().forEach(c -> out.add(connection(c, brief)));
        return out;
    }

    /** One configuration entry under its zoo.cfg name (conf text) and its AdminServer name (JSON). */
    public record ConfEntry(String key, String jsonKey, Object value) {
    }

    /** configuration / conf: the serving configuration, as ZooKeeperServer.dumpConf / getConf. */
    public static List<ConfEntry> configuration(ServerConfig c, int boundClientPort) {
        List<ConfEntry> out = new ArrayList<>();
        out.add(new ConfEntry("clientPort", "client_port", boundClientPort));
        if (c.clientPortAddress() != null) {
            out.add(new ConfEntry("clientPortAddress", "client_port_address", c.clientPortAddress()));
        }
        out.add(new ConfEntry("clientPortListenBacklog", "client_port_listen_backlog", -1));
        out.add(new ConfEntry("dataDir", "data_dir", c.dataDir().toAbsolutePath().toString()));
        out.add(new ConfEntry("dataDirSize", "data_dir_size", 0));
        out.add(new ConfEntry("dataLogDir", "data_log_dir", c.dataLogDir().toAbsolutePath().toString()));
        out.add(new ConfEntry("dataLogSize", "data_log_size", 0));
        out.add(new ConfEntry("maxClientCnxns", "max_client_cnxns", c.maxClientCnxns()));
        out.add(new ConfEntry("maxSessionTimeout", "max_session_timeout", c.maxSessionTimeout()));
        out.add(new ConfEntry("minSessionTimeout", "min_session_timeout", c.minSessionTimeout()));
        out.add(new ConfEntry("secureClientPort", "secure_client_port", -1));
        out.add(new ConfEntry("serverId", "server_id", c.serverId()));
        out.add(new ConfEntry("tickTime", "tick_time", c.tickTime()));
        return out;
    }

    /** environment / envi: zookeeper.version, host name, JVM and OS properties, memory. */
    public static Map<String, Object> environment() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("zookeeper.version", Version.FULL + ", built on " + Version.ENSEMBLE);
        m.put("host.name", hostName());
        for (String key : List.of("java.version", "java.vendor", "java.home", "java.class.path",
                "java.library.path", "java.io.tmpdir", "java.compiler", "os.name", "os.arch", "os.version",
                "user.name", "user.home", "user.dir")) {
            m.put(key, System.getProperty(key, "<NA>"));
        }
        Runtime rt = Runtime.getRuntime();
        m.put("os.memory.free", rt.freeMemory() / (1024 * 1024) + "MB");
        m.put("os.memory.max", rt.maxMemory() / (1024 * 1024) + "MB");
        m.put("os.memory.total", rt.totalMemory() / (1024 * 1024) + "MB");
        return m;
    }

    /** watch_summary / wchs. */
    public static Map<String, Object> watchSummary(ServerSnapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("num_connections", s.watchingConnections());
        m.put("num_paths", s.watchedPaths());
        m.put("num_total_watches", s.watchCount());
        return m;
    }

    /** watches / wchc: session id to watched paths, both sorted. */
    public static Map<Long, Set<String>> watchesBySession(ServerSnapshot s) {
        Map<Long, Set<String>> out = new TreeMap<>();
        s.watchesBySession().forEach((sid, paths) -> out.put(sid, new TreeSet<>(paths)));
        return out;
    }

    /** watches_by_path / wchp: path to the ids of the sessions watching it, both sorted. */
    public static Map<String, Set<Long>> watchesByPath(ServerSnapshot s) {
        Map<String, Set<Long>> out = new TreeMap<>();
        s.watchesBySession().forEach((sid, paths) -> paths.forEach(
                p -> out.computeIfAbsent(p, k -> new TreeSet<>()).add(sid)));
        return out;
    }

    /** dump: expiry time to session ids, and session id to ephemeral paths. */
    public static Map<String, Object> dump(ServerSnapshot s) {
        Map<Long, Set<Long>> byExpiry = new TreeMap<>();
        s.sessionExpiries().forEach((sid, at) -> byExpiry.computeIfAbsent(at, k -> new TreeSet<>()).add(sid));
        Map<Long, Set<String>> ephemerals = new TreeMap<>();
        s.ephemerals().forEach((sid, paths) -> ephemerals.put(sid, new TreeSet<>(paths)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("expiry_time_to_session_ids", byExpiry);
        m.put("session_id_to_ephemeral_paths", ephemerals);
        return m;
    }

    /** Open and maximum file descriptors, or null where the JVM cannot tell (not a Unix). */
    public static long[] fileDescriptors() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return new long[] {unix.getOpenFileDescriptorCount(), unix.getMaxFileDescriptorCount()};
        }
        return null;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "<NA>";
        }
    }
}
