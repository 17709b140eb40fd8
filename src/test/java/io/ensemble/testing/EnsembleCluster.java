package io.ensemble.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

    /**
     * The proxied link between servers {@code a} and {@code b} (see {@link Builder#proxyLink}): four proxies, one
     * for each of b's quorum and election ports as a sees them and one for each of a's as b sees them. Every action
     * applies to all four, so the link fails (or heals) in both directions and on both ports at once.
     */
    public static final class Link {
        private final int a;
        private final int b;
        private final List<LoopbackProxy> proxies;
        /** The proxies a dials b through (a is their client), and those b dials a through. */
        private final List<LoopbackProxy> dialledByA;
        private final List<LoopbackProxy> dialledByB;

        private Link(int a, int b, List<LoopbackProxy> dialledByA, List<LoopbackProxy> dialledByB) {
            this.a = a;
            this.b = b;
            this.dialledByA = List.copyOf(dialledByA);
            this.dialledByB = List.copyOf(dialledByB);
            List<LoopbackProxy> all = new ArrayList<>(dialledByA);
            all.addAll(dialledByB);
            this.proxies = List.copyOf(all);
        }

        public int a() {
            return a;
        }

        public int b() {
            return b;
        }

        public List<LoopbackProxy> proxies() {
            return proxies;
        }

        /** Closes every connection between a and b and refuses new ones. */
        public Link cut() {
            proxies.forEach(LoopbackProxy::cut);
            return this;
        }

        /** Keeps connections between a and b open but moves no byte: a silent link. */
        public Link blackhole() {
            proxies.forEach(LoopbackProxy::blackhole);
            return this;
        }

        /**
         * A one-way partition: nothing {@code from} (a or b) sends reaches the other end, on either port and whoever
         * dialled, while what the other end sends still arrives. Connections opened meanwhile are held.
         */
        public Link blackholeFrom(int from) {
            if (from != a && from != b) {
                throw new IllegalArgumentException("server " + from + " is not on " + this);
            }
            (from == a ? dialledByA : dialledByB).forEach(LoopbackProxy::blackholeToTarget);
            (from == a ? dialledByB : dialledByA).forEach(LoopbackProxy::blackholeToClient);
            return this;
        }

        /** Adds {@code millis} of latency in each direction. */
        public Link delay(long millis) {
            proxies.forEach(p -> p.delay(millis));
            return this;
        }

        /** Plain forwarding again. */
        public Link restore() {
            proxies.forEach(LoopbackProxy::restore);
            return this;
        }

        @Override
        public String toString() {
            return "link " + a + "<->" + b + " " + proxies;
        }
    }

    private final Path dir;
    private final Path jar;
    private final Map<Integer, Ports> ports;
    /** Key (viewer, peer): the quorum and election ports {@code viewer}'s zoo.cfg gives {@code peer}, if proxied. */
    private final Map<List<Integer>, Ports> proxiedViews = new LinkedHashMap<>();
    private final Map<List<Integer>, Link> links = new LinkedHashMap<>();
    private final Map<Integer, ServerProcess> servers = new TreeMap<>();
    /** Each server's HTTP port (health, metrics, admin commands), if the builder turned it on. */
    private final Map<Integer, Integer> httpPorts = new TreeMap<>();
    /** JVM flags of every start of a server, from {@link Builder#jvmFlags}. */
    private final Map<Integer, List<String>> jvmFlags = new TreeMap<>();
    private final Map<Integer, List<String>> launchPrefixes = new TreeMap<>();

    private EnsembleCluster(Path dir, Path jar, Map<Integer, Ports> ports) {
        this.dir = dir;
        this.jar = jar;
        this.ports = ports;
    }

    private static List<Integer> key(int a, int b) {
        return List.of(Math.min(a, b), Math.max(a, b));
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
        private final java.util.Set<List<Integer>> proxied = new java.util.LinkedHashSet<>();
        private boolean proxyAll;
        private boolean http;
        private final Map<Integer, List<String>> jvmFlags = new TreeMap<>();
        private final Map<Integer, List<String>> launchPrefixes = new TreeMap<>();

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

        /**
         * Serves each server's HTTP port (health, metrics, admin commands) on its own free port on 127.0.0.1, see
         * {@link EnsembleCluster#httpPort(int)}. Off by default: Helidon adds start-up time and threads.
         */
        public Builder adminServer() {
            http = true;
            settings.put("admin.enableServer", "true");
            settings.put("admin.serverAddress", "127.0.0.1");
            return this;
        }

        /** Extra JVM flags for every start of server {@code id} (see also {@link EnsembleCluster#start(int, List)}). */
        public Builder jvmFlags(int id, String... flags) {
            jvmFlags.computeIfAbsent(id, n -> new ArrayList<>()).addAll(List.of(flags));
            return this;
        }

        /**
         * Starts server {@code id} through {@code command} (which must exec its arguments, as {@code nice -n 19} or
         * {@code ionice -c 3} do), e.g. to run it at low CPU and I/O priority.
         */
        public Builder launchPrefix(int id, String... command) {
            launchPrefixes.put(id, List.of(command));
            return this;
        }

        /** Any zoo.cfg setting, for every server. */
        public Builder set(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /**
         * Routes the peer link between servers {@code a} and {@code b} through {@link LoopbackProxy proxies} in the
         * test JVM: in a's zoo.cfg, b's quorum and election ports are proxies to b's real ports, and the other way
         * round in b's. Only those addresses differ between the servers' configs. Control it with
         * {@link EnsembleCluster#link(int, int)}.
         */
        public Builder proxyLink(int a, int b) {
            if (a == b) {
                throw new IllegalArgumentException("a link needs two servers, got " + a + " twice");
            }
            proxied.add(key(a, b));
            return this;
        }

        /** {@link #proxyLink} for every pair of servers (voters and observers, however many there end up). */
        public Builder proxyAllLinks() {
            proxyAll = true;
            return this;
        }

        public EnsembleCluster build() throws IOException {
            Path jar = ServerJvm.locateJar(EnsembleCluster.class);
            if (jar == null) {
                throw new IllegalStateException("ensemble.jar is not built (run mvn package or verify)");
            }
            Map<Integer, Ports> ports = new TreeMap<>();
            for (int id = 1; id <= voters + observers; id++) {
                ports.put(id, new Ports(distinctFreePort(), distinctFreePort(), distinctFreePort()));
            }
            EnsembleCluster cluster = new EnsembleCluster(dir, jar, ports);
            jvmFlags.forEach((id, flags) -> cluster.jvmFlags.put(id, List.copyOf(flags)));
            cluster.launchPrefixes.putAll(launchPrefixes);
            if (http) {
                for (int id : ports.keySet()) {
                    cluster.httpPorts.put(id, distinctFreePort());
                }
            }
            if (proxyAll) {
                for (int a : ports.keySet()) {
                    for (int b : ports.keySet()) {
                        if (a < b) {
                            proxied.add(key(a, b));
                        }
                    }
                }
            }
            for (List<Integer> pair : proxied) {
                if (!ports.containsKey(pair.get(0)) || !ports.containsKey(pair.get(1))) {
                    throw new IllegalArgumentException("no such servers for a proxied link: " + pair);
                }
                cluster.addLink(pair.get(0), pair.get(1));
            }
            for (int id : ports.keySet()) {
                cluster.writeConfig(id, settings, voters);
            }
            return cluster;
        }

        /**
         * A free port no other server of this cluster was given: the ports are only numbers until the servers start,
         * so the system could hand one out twice.
         */
        private int distinctFreePort() throws IOException {
            int port;
            do {
                port = ServerJvm.freePort();
            } while (!TAKEN.get().add(port));
            return port;
        }
    }

    /** Ports handed out to servers and proxies of the clusters of this thread (see {@link #proxy}). */
    private static final ThreadLocal<java.util.Set<Integer>> TAKEN = ThreadLocal.withInitial(java.util.HashSet::new);

    /** A proxy to {@code target} whose own port is not one a server of this cluster is about to bind. */
    private static LoopbackProxy proxy(String name, int target) throws IOException {
        List<LoopbackProxy> clashes = new ArrayList<>();
        try {
            while (true) {
                LoopbackProxy p = new LoopbackProxy(name, target);
                if (TAKEN.get().add(p.port())) {
                    return p;
                }
                clashes.add(p); // kept open until a good one is found, so the system does not offer it again
            }
        } finally {
            clashes.forEach(LoopbackProxy::close);
        }
    }

    private void addLink(int a, int b) throws IOException {
        int low = Math.min(a, b);
        int high = Math.max(a, b);
        links.put(key(a, b), new Link(low, high, dialProxies(low, high), dialProxies(high, low)));
    }

    /** The proxies {@code viewer} dials {@code peer}'s quorum and election ports through. */
    private List<LoopbackProxy> dialProxies(int viewer, int peer) throws IOException {
        Ports real = ports.get(peer);
        LoopbackProxy quorum = proxy(viewer + "->" + peer + ":quorum", real.quorum());
        LoopbackProxy election = proxy(viewer + "->" + peer + ":election", real.election());
        proxiedViews.put(List.of(viewer, peer), new Ports(real.client(), quorum.port(), election.port()));
        return List.of(quorum, election);
    }

    /** The handle of the proxied link between a and b (either order); the builder must have asked for it. */
    public Link link(int a, int b) {
        Link l = links.get(key(a, b));
        if (l == null) {
            throw new IllegalArgumentException("the link " + a + "<->" + b + " is not proxied (Builder.proxyLink)");
        }
        return l;
    }

    /** The ports server {@code viewer}'s zoo.cfg gives server {@code peer}: proxies if their link is proxied. */
    public Ports portsAsSeenBy(int viewer, int peer) {
        Ports p = proxiedViews.get(List.of(viewer, peer));
        return p != null ? p : ports.get(peer);
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
        if (httpPorts.containsKey(id)) {
            cfg.append("admin.serverPort=").append(httpPorts.get(id)).append('\n');
        }
        for (int n : ports.keySet()) {
            Ports p = portsAsSeenBy(id, n);
            cfg.append("server.").append(n).append("=127.0.0.1:").append(p.quorum()).append(':')
                    .append(p.election()).append(n > voters ? ":observer" : "").append('\n');
        }
        Files.writeString(config(id), cfg.toString());
    }

    public Path dataDir(int id) {
        return dir.resolve("server" + id);
    }

    /** Server {@code id}'s console file (stdout and stderr of every start, each after a "=== command" line). */
    public Path console(int id) {
        return dir.resolve("server" + id + ".out");
    }

    /** The lines server {@code id} printed since it was last started (from its last "=== command" line on). */
    public List<String> consoleSinceLastStart(int id) throws IOException {
        List<String> all = Files.readAllLines(console(id), StandardCharsets.UTF_8);
        int start = 0;
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).startsWith("=== ")) {
                start = i;
                break;
            }
        }
        return all.subList(start, all.size());
    }

    public Path config(int id) {
        return dir.resolve("zoo" + id + ".cfg");
    }

    public Ports ports(int id) {
        return ports.get(id);
    }

    /** Server {@code id}'s HTTP port on 127.0.0.1; the builder must have asked for {@link Builder#adminServer()}. */
    public int httpPort(int id) {
        Integer port = httpPorts.get(id);
        if (port == null) {
            throw new IllegalStateException("the HTTP port is off (EnsembleCluster.Builder.adminServer())");
        }
        return port;
    }

    public List<Integer> ids() {
        return new ArrayList<>(ports.keySet());
    }

    /** Starts server {@code id}'s JVM without waiting for it to serve. */
    public ServerProcess start(int id) throws IOException {
        return start(id, List.of());
    }

    /**
     * Starts server {@code id}'s JVM with {@code extraJvmFlags} for this start only (a later {@link #start(int)}
     * drops them), e.g. {@code -Densemble.crashAt=...}; does not wait for it to serve.
     */
    public ServerProcess start(int id, List<String> extraJvmFlags) throws IOException {
        List<String> flags = new ArrayList<>(List.of("-Xmx256m"));
        flags.addAll(jvmFlags.getOrDefault(id, List.of()));
        flags.addAll(extraJvmFlags);
        ServerProcess p = servers.get(id);
        if (p == null || !p.jvmFlags().equals(flags)) {
            if (p != null && p.isAlive()) {
                throw new IllegalStateException("server " + id + " is running");
            }
            p = new ServerProcess(jar, config(id), console(id), ports.get(id).client(), flags,
                    launchPrefixes.getOrDefault(id, List.of()));
            servers.put(id, p);
        }
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
        links.values().forEach(l -> l.proxies().forEach(LoopbackProxy::close));
    }
}
