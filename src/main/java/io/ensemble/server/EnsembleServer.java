package io.ensemble.server;

import io.ensemble.config.ServerConfig;
import io.ensemble.fault.WallClock;
import io.ensemble.session.Session;
import io.ensemble.session.SessionTracker;
import io.ensemble.storage.Storage;
import io.ensemble.tree.DataTree;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One standalone server: the client listener, the request processor, the data tree and the session tracker,
 * wired together. Plain Java so tests can start several in one JVM; the CDI application wraps one of these.
 */
public final class EnsembleServer implements AutoCloseable, ServerContext {
    private static final Logger LOG = Logger.getLogger(EnsembleServer.class.getName());

    private final ServerConfig config;
    private final DataTree tree = new DataTree();
    private final SessionTracker sessions;
    private final ServerStats stats = new ServerStats();
    private final RequestProcessor processor;
    private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final AtomicLong connectionIds = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final Runnable onFatal;
    private final List<Runnable> stateListeners = new CopyOnWriteArrayList<>();
    /** Learner: sessions its clients touched since the last PING to the leader (id → timeout). */
    private final Map<Long, Integer> touched = new ConcurrentHashMap<>();
    private ReplicaHost replicaHost;
    /** Set by the quorum peer of a server of an ensemble; null standalone. */
    private volatile QuorumView quorumView;
    private Storage.Recovered recovered;
    private volatile Storage storage;
    private ServerSocket listener;
    private volatile boolean running;

    public EnsembleServer(ServerConfig config) {
        this(config, () -> { });
    }

    /**
     * @param onFatal what to do when the transaction log cannot be written (the process's main exits); the server
     *                has stopped serving by then
     */
    public EnsembleServer(ServerConfig config, Runnable onFatal) {
        this.config = config;
        this.onFatal = onFatal;
        this.sessions = new SessionTracker(config.serverId(), config.tickTime(), SessionTracker::monotonicMillis,
                WallClock.millis());
        this.processor = new RequestProcessor(config, tree, sessions, stats);
    }

    /**
     * Recovers the data from disk, binds the client port and starts serving.
     *
     * @throws io.ensemble.storage.StorageException with one clear line if the data directories are unusable
     */
    public synchronized void start() throws IOException {
        storage = Storage.open(config.storage(), config.dataDir(), config.dataLogDir(), config.juteMaxBuffer(), tree,
                sessions);
        try {
            bindAndServe();
        } catch (IOException | RuntimeException e) {
            storage.close();
            throw e;
        }
    }

    private void bindAndServe() throws IOException {
        recover();
        InetSocketAddress address = config.clientPortAddress() == null
                ? new InetSocketAddress(config.clientPort())
                : new InetSocketAddress(config.clientPortAddress(), config.clientPort());
        listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(address, 1024);
        running = true;
        threads.add(Thread.ofPlatform().name("request-processor").daemon().start(processor));
        threads.add(Thread.ofPlatform().name("client-listener").daemon().start(this::acceptLoop));
        threads.add(Thread.ofPlatform().name("session-expirer").daemon().start(this::expireLoop));
        threads.add(Thread.ofPlatform().name("container-reaper").daemon().start(this::reapLoop));
        LOG.info("Ensemble " + Version.FULL + (config.replicated() ? " listening for clients on " : " serving clients on ")
                + listener.getLocalSocketAddress() + (config.replicated() ? " (server " + config.quorum().myId()
                + " of an ensemble of " + config.quorum().peers().size() + "; clients are served once it is in sync)"
                : " (standalone") + ", tickTime " + config.tickTime() + "ms, session timeouts "
                + config.minSessionTimeout() + ".." + config.maxSessionTimeout() + "ms)");
        stateChanged();
    }

    /** Loads the data from disk and starts the log after it; an ensemble's membership goes into /zookeeper/config. */
    private void recover() {
        recovered = storage.recoverWithTail(TAIL_KEPT);
        if (config.replicated()) {
            tree.setMembership(config.quorum().membership().getBytes(StandardCharsets.UTF_8),
                    WallClock.millis());
        }
        processor.start(recovered.lastZxid(), storage.start(recovered.lastZxid(), processor, this::fatal));
    }

    /** How many of the last logged transactions recovery keeps in memory: a new leader DIFFs learners from them. */
    public static final int TAIL_KEPT = 500;

    /** What start-up recovered: the last zxid and the log's tail (the replication driver starts from it). */
    public Storage.Recovered recovered() {
        return recovered;
    }

    /** The face this server shows its replication driver; only for a server of an ensemble. */
    public synchronized ReplicaHost replicaHost() {
        if (!config.replicated()) {
            throw new IllegalStateException("a standalone server has no replication");
        }
        if (replicaHost == null) {
            replicaHost = new ReplicaHost(this, processor);
        }
        return replicaHost;
    }

    DataTree tree() {
        return tree;
    }

    SessionTracker sessions() {
        return sessions;
    }

    Map<Long, Integer> drainTouches() {
        Map<Long, Integer> out = new java.util.HashMap<>();
        for (Long id : List.copyOf(touched.keySet())) {
            Integer timeout = touched.remove(id);
            if (timeout != null) {
                out.put(id, timeout);
            }
        }
        return out;
    }

    /** The quorum peer shows the reports its quorum facts through {@code view}. */
    public void quorumView(QuorumView view) {
        quorumView = view;
    }

    /** The quorum peer's view, or null for a standalone server (and before the peer started). */
    public QuorumView quorumView() {
        return quorumView;
    }

    /** Processor thread: the facts for a report. */
    private QuorumFacts quorumFacts() {
        QuorumView view = quorumView;
        return view == null ? QuorumFacts.standalone() : view.facts();
    }

    /** Processor thread: serve clients in {@code role}. */
    void startServing(ReplicationLink role) {
        processor.ensemble().startServing(role);
        LOG.info("Serving clients as " + role.mode());
        stateChanged();
    }

    /** Processor thread: stop serving; clients lose their connection and move to another server. */
    void stopServing() {
        boolean was = processor.mode() != null;
        processor.ensemble().stopServing();
        for (ClientConnection c : List.copyOf(connections)) {
            c.close();
        }
        touched.clear();
        if (was) {
            LOG.info("Stopped serving clients");
            stateChanged();
        }
    }

    /** Processor thread: close the log, operate on the directories, reopen and rebuild tree and sessions. */
    Storage.Recovered reloadStorage(ReplicaHost.StorageSurgery surgery) {
        storage.close();
        try {
            surgery.run(storage.snapDir(), storage.logDir());
        } catch (IOException e) {
            throw new io.ensemble.storage.StorageException("Cannot rewrite the data directory: " + e.getMessage(), e);
        }
        tree.reset();
        sessions.clear();
        storage = Storage.open(config.storage(), config.dataDir(), config.dataLogDir(), config.juteMaxBuffer(), tree,
                sessions);
        recover();
        return recovered;
    }

    /** The log failed: stop serving at once (no reply may claim durability any more), then tell the owner. */
    private void fatal() {
        Thread.ofPlatform().name("fatal-stop").start(() -> {
            close();
            onFatal.run();
        });
    }

    /** Where snapshots and logs live, for tools and tests. */
    public Storage storage() {
        return storage;
    }

    /** The bound client port (useful when the config asked for port 0). */
    public int clientPort() {
        return listener == null ? config.clientPort() : listener.getLocalPort();
    }

    @Override
    public ServerConfig config() {
        return config;
    }

    @Override
    public ServerStats stats() {
        return stats;
    }

    public boolean isRunning() {
        return running;
    }

    /** "standalone", "leader", "follower" or "observer"; null while a server of an ensemble is not serving. */
    public String mode() {
        return processor.mode();
    }

    /** Whether clients are answered: running, and standalone or in a synced quorum. */
    public boolean isServing() {
        return running && processor.mode() != null;
    }

    public long lastZxid() {
        return processor.lastZxid();
    }

    private void acceptLoop() {
        while (running) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (running) {
                    LOG.warning("Accepting a client connection failed: " + e);
                }
                continue;
            }
            try {
                admit(socket);
            } catch (IOException e) {
                LOG.fine(() -> "dropping a new connection: " + e);
                closeQuietly(socket);
            }
        }
    }

    private void admit(Socket socket) throws SocketException {
        InetAddress address = socket.getInetAddress();
        AtomicInteger count = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
        if (config.maxClientCnxns() > 0 && count.incrementAndGet() > config.maxClientCnxns()) {
            count.decrementAndGet();
            LOG.warning("Too many connections from " + address + " - max is " + config.maxClientCnxns());
            closeQuietly(socket);
            return;
        } else if (config.maxClientCnxns() <= 0) {
            count.incrementAndGet();
        }
        socket.setTcpNoDelay(true);
        ClientConnection conn = new ClientConnection(connectionIds.incrementAndGet(), socket, this);
        connections.add(conn);
        conn.start();
    }

    private void expireLoop() {
        while (running) {
            try {
                if (!processor.ordersWrites()) {
                    Thread.sleep(config.tickTime()); // a learner's sessions are expired by its leader
                    continue;
                }
                long wait = sessions.millisToNextExpiry();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                for (Session s : sessions.pollExpired()) {
                    processor.submit(new Work.ExpireSession(s.id()));
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void reapLoop() {
        while (running) {
            try {
                Thread.sleep(config.containerCheckIntervalMs());
                processor.submit(new Work.ReapContainers());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void submit(Work work) throws InterruptedException {
        processor.submit(work);
    }

    @Override
    public void touch(ClientConnection conn) {
        Session s = conn.session();
        if (s != null) {
            sessions.touch(s);
            if (config.replicated()) {
                touched.put(s.id(), s.timeout());
            }
        }
    }

    @Override
    public void connectionClosed(ClientConnection conn) {
        if (connections.remove(conn)) {
            AtomicInteger count = perAddress.get(conn.remote().getAddress());
            if (count != null) {
                count.decrementAndGet();
            }
            processor.submitInternal(new Work.Disconnected(conn));
        }
    }

    @Override
    public String fourLetterWord(String word) {
        if (!running) {
            // Stopping: ruok stays silent, every other word says why it has no answer.
            return word.equals("ruok") ? "" : FourLetterWords.NOT_SERVING;
        }
        if (!isServing()) {
            return FourLetterWords.notServing(word, config); // electing or syncing: the process itself is fine
        }
        return inspect(s -> FourLetterWords.run(word, s, config));
    }

    /** Runs a read-only report on the processor thread, where the tree is consistent, and waits for it. */
    public <T> T inspectSnapshot(Function<ServerSnapshot, T> report) {
        return inspect(report);
    }

    /**
     * Queues a read-only report for the processor thread; the future completes when the pipeline reaches it. It
     * never completes if the server is not running or the pipeline is stuck, so callers bound their wait.
     */
    public <T> CompletableFuture<T> inspectAsync(Function<ServerSnapshot, T> report) {
        return onProcessor(() -> report.apply(snapshot()));
    }

    /**
     * A no-op trip through the request pipeline that reads the processor-owned gauges on the way: the liveness
     * heartbeat and the metrics gauges use it. Completes when the processor thread reaches it.
     */
    public CompletableFuture<ServerCounts> counts() {
        return onProcessor(() -> new ServerCounts(processor.lastZxid(), tree.nodeCount(), tree.watchCount(),
                tree.ephemeralCount(), tree.approximateDataSize(), sessions.count(), quorumFacts()));
    }

    private <T> CompletableFuture<T> onProcessor(Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        processor.enqueue(new Work.Inspect(() -> { // never on the caller's thread: callers bound their wait
            try {
                result.complete(task.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }));
        return result;
    }

    private <T> T inspect(Function<ServerSnapshot, T> report) {
        try {
            return inspectAsync(report).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a report", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("report failed", e.getCause());
        }
    }

    /** Open client connections (thread-safe; for the num_alive_connections gauge). */
    public int connectionCount() {
        return connections.size();
    }

    /** Calls {@code listener} after the server starts serving and after it stops; it reads {@link #isRunning()}. */
    public void addStateListener(Runnable listener) {
        stateListeners.add(listener);
    }

    public void removeStateListener(Runnable listener) {
        stateListeners.remove(listener);
    }

    private void stateChanged() {
        for (Runnable l : stateListeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.warning("A server state listener failed: " + e);
            }
        }
    }

    private ServerSnapshot snapshot() {
        return ServerSnapshot.take(mode(), clientPort(), processor.lastZxid(), tree, sessions, connections, stats,
                quorumFacts());
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        stateChanged(); // readiness goes down before the connections are cut
        closeQuietly(listener);
        for (ClientConnection c : List.copyOf(connections)) {
            c.close();
        }
        processor.stop(5000);
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        storage.close();
        LOG.info("Ensemble server on port " + listener.getLocalPort() + " stopped");
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
