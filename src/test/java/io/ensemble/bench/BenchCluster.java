package io.ensemble.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One system under benchmark: a standalone server, or the servers of an ensemble on loopback (each its own JVM with
 * its own zoo.cfg, dataDir and myid and the same server.N lines, as an operator runs them). CPU figures are summed
 * over the servers, RSS figures are per server.
 */
final class BenchCluster implements AutoCloseable {
    private static final long LEADER_TIMEOUT_MS = 90_000;

    private final String name;
    private final List<BenchServer> servers;

    private BenchCluster(String name, List<BenchServer> servers) {
        this.name = name;
        this.servers = List.copyOf(servers);
    }

    /** Writes the configs of {@code size} servers under {@code dir} (server1, server2, ... or just dir). */
    static BenchCluster create(boolean zooKeeper, Path dir, int size, BenchServer.Config config) throws IOException {
        List<BenchServer.Ports> ports = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ports.add(BenchServer.Ports.allocate());
        }
        List<BenchServer> servers = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            servers.add(BenchServer.create(zooKeeper, size == 1 ? dir : dir.resolve("server" + id), id, ports,
                    config));
        }
        return new BenchCluster(zooKeeper ? "ZooKeeper" : "Ensemble", servers);
    }

    String name() {
        return name;
    }

    List<BenchServer> servers() {
        return servers;
    }

    int size() {
        return servers.size();
    }

    /** One connect string per server ({@code 127.0.0.1:port}): a client is pinned to one server. */
    List<String> connectStrings() {
        return servers.stream().map(BenchServer::connectString).toList();
    }

    String pids() {
        return servers.stream().map(s -> Long.toString(s.pid())).collect(Collectors.joining(","));
    }

    void start() throws IOException {
        for (BenchServer s : servers) {
            s.start();
        }
    }

    /**
     * Waits until every server serves and, in an ensemble, one says {@code Mode: leader} and the others
     * {@code Mode: follower}. Returns the milliseconds it took.
     */
    long awaitReady() throws InterruptedException {
        long t0 = System.nanoTime();
        for (BenchServer s : servers) {
            s.awaitServing();
        }
        if (servers.size() == 1) {
            return (System.nanoTime() - t0) / 1_000_000;
        }
        while (true) {
            List<String> modes = new ArrayList<>();
            for (BenchServer s : servers) {
                s.checkAlive();
                modes.add(s.mode());
            }
            long leaders = modes.stream().filter("leader"::equals).count();
            long followers = modes.stream().filter("follower"::equals).count();
            if (leaders == 1 && followers == servers.size() - 1) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            if ((System.nanoTime() - t0) / 1_000_000 > LEADER_TIMEOUT_MS) {
                StringBuilder b = new StringBuilder(name + " has no leader after " + LEADER_TIMEOUT_MS
                        + " ms (modes " + modes + ")");
                for (BenchServer s : servers) {
                    b.append("\n--- ").append(s.console()).append(":\n").append(s.tail(15));
                }
                throw new IllegalStateException(b.toString());
            }
            Thread.sleep(100); // polling an election in other processes
        }
    }

    /** The leader's myid, or 0 (standalone or none). */
    int leader() {
        for (BenchServer s : servers) {
            if ("leader".equals(s.mode())) {
                return s.myid();
            }
        }
        return 0;
    }

    /** CPU seconds used so far, summed over the servers. */
    double cpuSeconds() {
        double cpu = 0;
        for (BenchServer s : servers) {
            cpu += s.procStats().cpuSeconds();
        }
        return cpu;
    }

    /** The current resident set of each server, kB, in server order. */
    long[] rssKb() {
        long[] rss = new long[servers.size()];
        for (int i = 0; i < rss.length; i++) {
            rss[i] = servers.get(i).procStats().rssKb();
        }
        return rss;
    }

    /** The highest peak resident set (VmHWM) of any server since start, kB. */
    long peakRssKb() {
        long max = 0;
        for (BenchServer s : servers) {
            max = Math.max(max, s.procStats().peakRssKb());
        }
        return max;
    }

    void checkAlive() {
        servers.forEach(BenchServer::checkAlive);
    }

    @Override
    public void close() {
        servers.parallelStream().forEach(BenchServer::close);
    }
}
