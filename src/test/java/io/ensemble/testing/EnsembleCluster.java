package io.ensemble.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

import static org.awaitility.Awaitility.await;

/**
 * A real ensemble on loopback for tests: each server is its own JVM started from its own zoo.cfg (own dataDir with
 * myid, own ports, the same server.N lines), exactly as an operator runs them, so that {@link #kill9} is a real
 * {@code kill -9}.
 */
public final class EnsembleCluster implements AutoCloseable {

    /** Ports of one server. */
    public record Ports(int client, int quorum, int election) {
    }

    private final Path dir;
    private final Path jar;
    private final Map<Integer, Ports> ports;
    private final Map<Integer, ServerProcess> servers = new TreeMap<>();

    private EnsembleCluster(Path dir, Path jar, Map<Integer, Ports> ports) {
        this.dir = dir;
        this.jar = jar;
        this.ports = ports;
    }

    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Configures the ensemble; {@link #build()} writes every server's zoo.cfg and myid. */
    public static final class Builder {
        private final Path dir;
        private int voters = 3;
        private int observers;
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder(Path dir) {
            this.dir = dir;
            settings.put("tickTime", "200");
            settings.put("initLimit", "10");
            settings.put("syncLimit", "5");
            settings.put("admin.enableServer", "false");
            settings.put("4lw.commands.whitelist", "*");
            settings.put("preAllocSize", "1024");
        }

        public Builder voters(int n) {
            voters = n;
            return this;
        }

        public Builder observers(int n) {
            observers = n;
            return this;
        }

        /** Any zoo.cfg setting, for every server. */
        public Builder set(String key, String value) {
            settings.put(key, value);
            return this;
        }

        public EnsembleCluster build() throws IOException {
            Path jar = ServerJvm.locateJar(EnsembleCluster.class);
            if (jar == null) {
                throw new IllegalStateException("ensemble.jar is not built (run mvn package or verify)");
            }
            Map<Integer, Ports> ports = new TreeMap<>();
            for (int id = 1; id <= voters + observers; id++) {
                ports.put(id, new Ports(ServerJvm.freePort(), ServerJvm.freePort(), ServerJvm.freePort()));
            }
            EnsembleCluster cluster = new EnsembleCluster(dir, jar, ports);
            for (int id : ports.keySet()) {
                cluster.writeConfig(id, settings, voters);
            }
            return cluster;
        }
    }

    private void writeConfig(int id, Map<String, String> settings, int voters) throws IOException {
        Path data = dataDir(id);
        Files.createDirectories(data);
        Files.writeString(data.resolve("myid"), id + "\n");
        StringBuilder cfg = new StringBuilder();
        settings.forEach((k, v) -> cfg.append(k).append('=').append(v).append('\n'));
        cfg.append("dataDir=").append(data).append('\n');
        cfg.append("clientPort=").append(ports.get(id).client()).append('\n');
        cfg.append("clientPortAddress=127.0.0.1\n");
        ports.forEach((n, p) -> cfg.append("server.").append(n).append("=127.0.0.1:").append(p.quorum()).append(':')
                .append(p.election()).append(n > voters ? ":observer" : "").append('\n'));
        Files.writeString(config(id), cfg.toString());
    }

    public Path dataDir(int id) {
        return dir.resolve("server" + id);
    }

    public Path config(int id) {
        return dir.resolve("zoo" + id + ".cfg");
    }

    public Ports ports(int id) {
        return ports.get(id);
    }

    public List<Integer> ids() {
        return new ArrayList<>(ports.keySet());
    }

    /** Starts server {@code id}'s JVM without waiting for it to serve. */
    public ServerProcess start(int id) throws IOException {
        ServerProcess p = servers.computeIfAbsent(id, n -> new ServerProcess(jar, config(n),
                dir.resolve("server" + n + ".out"), ports.get(n).client(), List.of("-Xmx256m")));
        p.start();
        return p;
    }

    public void startAll() throws IOException {
        for (int id : ports.keySet()) {
            start(id);
        }
    }

    public ServerProcess server(int id) {
        return servers.get(id);
    }

    public void kill9(int id) throws InterruptedException {
        servers.get(id).kill9();
    }

    /** Waits until every running server serves clients in a role (leader, follower or observer). */
    public void awaitServing(Duration atMost) {
        await("every running server serves in a quorum").atMost(atMost).pollInterval(Duration.ofMillis(50))
                .until(() -> servers.values().stream().filter(ServerProcess::isAlive)
                        .allMatch(p -> !p.srvr("Mode").isEmpty()));
    }

    /** The id of the running server that says it leads, or -1. */
    public int leader() {
        for (Map.Entry<Integer, ServerProcess> e : servers.entrySet()) {
            if (e.getValue().isAlive() && "leader".equals(e.getValue().srvr("Mode"))) {
                return e.getKey();
            }
        }
        return -1;
    }

    public String mode(int id) {
        ServerProcess p = servers.get(id);
        return p == null || !p.isAlive() ? "" : p.srvr("Mode");
    }

    /** host:port of every server, for a client that fails over among them. */
    public String connectString() {
        StringJoiner j = new StringJoiner(",");
        ports.values().forEach(p -> j.add("127.0.0.1:" + p.client()));
        return j.toString();
    }

    public String connectString(int id) {
        return "127.0.0.1:" + ports.get(id).client();
    }

    /** The last lines of every server's console, for a failure message. */
    public String consoles(int lines) {
        StringBuilder sb = new StringBuilder();
        servers.forEach((id, p) -> sb.append("--- server ").append(id).append(" ---\n").append(p.tail(lines))
                .append('\n'));
        return sb.toString();
    }

    @Override
    public void close() {
        servers.values().forEach(ServerProcess::close);
    }
}
