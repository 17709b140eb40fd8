package io.ensemble.bench;

import org.HdrHistogram.Histogram;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load generator, on the official Apache ZooKeeper Java client (async API). Every client session is pinned to
 * one server: client i connects to server i % n, so the clients spread evenly over an ensemble, as in a real
 * deployment.
 * <ul>
 * <li>write / read / mix / churn: {@code clients} sessions, each keeping {@code outstanding} requests in flight
 * (1 for the latency variants). Latency is measured from the async call to its callback, in microseconds, into one
 * HdrHistogram per client (its callbacks all run on that client's event thread). Only operations that complete
 * inside the measured interval count; the interval ends at {@code seconds} or {@code maxOps}.</li>
 * <li>watch: {@code watchers} sessions each hold a data watch on one znode; one setData from a further session
 * fires them all; the latency is the time from the setData call until the last watcher has its event, and each
 * watcher re-arms its watch from its event handler, as applications do. Repeated for the interval; an op is one
 * notification delivered.</li>
 * <li>sessions: {@code sessions} idle sessions (see {@link IdleSessions}; {@code sessionClient=official} uses one
 * ZooKeeper object per session instead), opened at most {@link IdleSessions#WINDOW} at a time, then held idle for
 * {@code seconds} (pinging), then closed. An op is one session established, its latency the connect time.</li>
 * </ul>
 */
final class LoadGenerator {
    static final String KEYS = "/bench";
    static final String CHURN = "/bench-churn";
    static final String WATCH = "/bench-watch";
    private static final List<ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;
    private static final int SESSION_TIMEOUT_MS = 30_000;
    static final int CONNECT_WINDOW = 100;

    enum Workload {
        WRITE("write", "setData of an existing znode", "setData"),
        READ("read", "getData of an existing znode", "getData"),
        MIX("mix", "getData / setData mix", "ops"),
        CHURN("churn", "create EPHEMERAL_SEQUENTIAL, then delete it (each counts as one op)", "create+delete ops"),
        WATCH("watch", "one setData, N watchers notified (latency: until the last one)", "notifications"),
        SESSIONS("sessions", "N idle sessions opened, held, closed", "sessions opened");

        final String key;
        final String description;
        final String unit;

        Workload(String key, String description, String unit) {
            this.key = key;
            this.description = description;
            this.unit = unit;
        }

        static Workload of(String key) {
            for (Workload w : values()) {
                if (w.key.equalsIgnoreCase(key.trim())) {
                    return w;
                }
            }
            throw new IllegalArgumentException("unknown workload '" + key
                    + "' (write, read, mix, churn, watch, sessions)");
        }
    }

    record Settings(int clients, int outstanding, int warmupSeconds, int seconds, long maxOps, int valueSize,
                    int keys, int readPercent, int watchers, int sessions, String sessionClient) {
    }

    /** The outcome of one measured interval against one system; {@code extra} holds workload-specific figures. */
    record Result(long ops, double seconds, Histogram latencyMicros, long errors, String firstError,
                  Map<String, Double> extra) {
        double opsPerSecond() {
            return ops / seconds;
        }
    }

    /**
     * Called at the edges of the measured interval, on the calling thread (server CPU / RSS probes). The sessions
     * workload calls {@link #idleEnd} after its idle hold, which follows {@link #end} (end of connecting).
     */
    interface Probe {
        void start();

        void end();

        default void idleEnd() {
        }
    }

    private final Settings settings;
    private final byte[] value;

    LoadGenerator(Settings settings) {
        this.settings = settings;
        this.value = new byte[settings.valueSize()];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) ('a' + i % 26);
        }
    }

    /**
     * Creates the key znodes {@code /bench/k<i>}, the churn parent and the watched znode, if missing, through the
     * first server, and waits until every server has them.
     */
    void prepare(List<String> servers) throws Exception {
        try (ZooKeeper zk = connect(servers.get(0))) {
            for (String p : List.of(KEYS, CHURN, WATCH)) {
                try {
                    zk.create(p, new byte[0], OPEN, CreateMode.PERSISTENT);
                } catch (KeeperException.NodeExistsException ignored) {
                    // from an earlier round
                }
            }
            Semaphore window = new Semaphore(500);
            AtomicReference<String> failure = new AtomicReference<>();
            for (int i = 0; i < settings.keys(); i++) {
                window.acquire();
                zk.create(key(i), value, OPEN, CreateMode.PERSISTENT, (rc, path, ctx, name) -> {
                    if (rc != 0 && rc != KeeperException.Code.NODEEXISTS.intValue()) {
                        failure.compareAndSet(null, path + ": " + KeeperException.Code.get(rc));
                    }
                    window.release();
                }, null);
            }
            window.acquire(500);
            if (failure.get() != null) {
                throw new IllegalStateException("preparing keys failed: " + failure.get());
            }
        }
        String last = key(settings.keys() - 1);
        for (String server : servers.subList(1, servers.size())) {
            try (ZooKeeper zk = connect(server)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (zk.exists(last, false) == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(server + " does not see " + last + " after 30 s");
                    }
                    Thread.sleep(50); // waiting for a follower to apply the preparation
                }
            }
        }
    }

    /** Runs one workload against the servers (client i on server i % n) and returns the measured interval. */
    Result run(List<String> servers, Workload workload, int outstanding, Probe probe) throws Exception {
        return switch (workload) {
            case WATCH -> runWatch(servers, probe);
            case SESSIONS -> runSessions(servers, probe);
            default -> runRequests(servers, workload, outstanding, probe);
        };
    }

    /** Connect the clients, warm up, measure, drain, close. */
    private Result runRequests(List<String> servers, Workload workload, int outstanding, Probe probe)
            throws Exception {
        int n = settings.clients();
        List<ZooKeeper> zks = new ArrayList<>(n);
        List<Driver> drivers = new ArrayList<>(n);
        Phase phase = new Phase();
        try {
            for (int i = 0; i < n; i++) {
                ZooKeeper zk = connect(servers.get(i % servers.size()));
                zks.add(zk);
                drivers.add(new Driver(i, zk, workload, outstanding, phase));
            }
            drivers.forEach(Driver::start);
            Thread.sleep(settings.warmupSeconds() * 1000L); // a fixed warm-up window is the point of a benchmark
            probe.start();
            long t0 = System.nanoTime();
            phase.state = Phase.MEASURE;
            long deadline = t0 + TimeUnit.SECONDS.toNanos(settings.seconds());
            while (System.nanoTime() < deadline && phase.measured.sum() < settings.maxOps()) {
                Thread.sleep(20); // checks the time and operation budget of the measured window
                if (drivers.stream().anyMatch(d -> d.dead.get() != null)) {
                    break;
                }
            }
            phase.state = Phase.STOP;
            long t1 = System.nanoTime();
            probe.end();
            Histogram all = new Histogram(3);
            long errors = 0;
            String firstError = null;
            for (Driver d : drivers) {
                d.drain();
                all.add(d.histogram);
                errors += d.errors.get();
                if (firstError == null) {
                    firstError = d.dead.get() != null ? d.dead.get() : d.firstError.get();
                }
            }
            return new Result(phase.measured.sum(), (t1 - t0) / 1e9, all, errors, firstError, Map.of());
        } finally {
            phase.state = Phase.STOP;
            for (Driver d : drivers) {
                d.thread.interrupt();
            }
            closeAll(zks);
        }
    }

    /** Watch fan-out: warm-up repetitions, then measured repetitions until the interval or maxOps is used up. */
    private Result runWatch(List<String> servers, Probe probe) throws Exception {
        int n = settings.watchers();
        List<ZooKeeper> zks = new ArrayList<>();
        ZooKeeper writer = null;
        try {
            writer = connect(servers.get(0));
            zks.addAll(connectMany(servers, n, null));
            FanOut fan = new FanOut(n);
            List<WatchClient> clients = new ArrayList<>(n);
            for (ZooKeeper zk : zks) {
                WatchClient c = new WatchClient(zk, fan);
                clients.add(c);
                c.arm();
            }
            Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.warmupSeconds());
            while (System.nanoTime() < warmupEnd) {
                if (fan.once(writer, value) < 0) {
                    break;
                }
            }
            long notifications = 0;
            long fanOuts = 0;
            probe.start();
            long t0 = System.nanoTime();
            long deadline = t0 + TimeUnit.SECONDS.toNanos(settings.seconds());
            while (System.nanoTime() < deadline && notifications < settings.maxOps() && fan.error.get() == null) {
                long nanos = fan.once(writer, value);
                if (nanos < 0) {
                    break;
                }
                latency.recordValue(Math.min(nanos / 1000, latency.getHighestTrackableValue()));
                notifications += n;
                fanOuts++;
            }
            long t1 = System.nanoTime();
            probe.end();
            Map<String, Double> extra = new LinkedHashMap<>();
            extra.put("fanOuts", (double) fanOuts);
            extra.put("watchers", (double) n);
            return new Result(notifications, (t1 - t0) / 1e9, latency, fan.errors.get(), fan.error.get(), extra);
        } finally {
            if (writer != null) {
                zks.add(writer);
            }
            closeAll(zks);
        }
    }

    /** Idle sessions: open them all, hold them idle for the interval, close them. */
    private Result runSessions(List<String> servers, Probe probe) throws Exception {
        int n = settings.sessions();
        Map<String, Double> extra = new LinkedHashMap<>();
        extra.put("sessions", (double) n);
        if ("official".equalsIgnoreCase(settings.sessionClient())) {
            Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            List<ZooKeeper> zks = new ArrayList<>();
            try {
                probe.start();
                long t0 = System.nanoTime();
                zks.addAll(connectMany(servers, n, latency));
                long t1 = System.nanoTime();
                probe.end();
                Thread.sleep(settings.seconds() * 1000L); // the idle hold: sessions only ping
                probe.idleEnd();
                long alive = zks.stream().filter(z -> z.getState().isConnected()).count();
                return new Result(zks.size(), (t1 - t0) / 1e9, latency, n - alive,
                        alive < n ? (n - alive) + " sessions not connected after the hold" : null, extra);
            } finally {
                closeAll(zks);
            }
        }
        try (IdleSessions idle = new IdleSessions(servers, n, SESSION_TIMEOUT_MS)) {
            probe.start();
            idle.open(300_000);
            probe.end();
            Thread.sleep(settings.seconds() * 1000L); // the idle hold: sessions only ping
            probe.idleEnd();
            int lost = idle.failed();
            idle.closeSessions(120_000);
            return new Result(idle.opened(), idle.connectSeconds(), idle.connectMicros(), lost, idle.firstError(),
                    extra);
        }
    }

    private String key(int i) {
        return KEYS + "/k" + i;
    }

    static ZooKeeper connect(String connectString) throws IOException, InterruptedException {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(30, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("no session with " + connectString + " within 30 s");
        }
        return zk;
    }

    /**
     * {@code n} official-client sessions, session i on server i % servers, at most {@link #CONNECT_WINDOW} connecting
     * at a time; each connect time (constructor to SyncConnected) goes into {@code latency} if not null.
     */
    static List<ZooKeeper> connectMany(List<String> servers, int n, Histogram latency)
            throws IOException, InterruptedException {
        Semaphore window = new Semaphore(CONNECT_WINDOW);
        List<ZooKeeper> zks = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                if (!window.tryAcquire(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("sessions not connecting: " + i + " of " + n + " started");
                }
                long start = System.nanoTime();
                AtomicBoolean first = new AtomicBoolean(true);
                zks.add(new ZooKeeper(servers.get(i % servers.size()), SESSION_TIMEOUT_MS, e -> {
                    if (e.getState() == Watcher.Event.KeeperState.SyncConnected && first.getAndSet(false)) {
                        if (latency != null) {
                            synchronized (latency) {
                                latency.recordValue(Math.min((System.nanoTime() - start) / 1000,
                                        latency.getHighestTrackableValue()));
                            }
                        }
                        window.release();
                    }
                }));
            }
            if (!window.tryAcquire(CONNECT_WINDOW, 60, TimeUnit.SECONDS)) {
                throw new IllegalStateException((CONNECT_WINDOW - window.availablePermits()) + " of " + n
                        + " sessions not connected after 60 s");
            }
            return zks;
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeAll(zks);
            throw e;
        }
    }

    /** Closes the sessions, many at a time (each close waits for the server's answer). */
    static void closeAll(List<ZooKeeper> zks) throws InterruptedException {
        if (zks.size() <= 16) {
            for (ZooKeeper zk : zks) {
                zk.close(5000);
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            for (ZooKeeper zk : zks) {
                pool.execute(() -> {
                    try {
                        zk.close(5000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        } finally {
            pool.shutdown();
            pool.awaitTermination(5, TimeUnit.MINUTES);
        }
    }

    private static final class Phase {
        static final int WARMUP = 0;
        static final int MEASURE = 1;
        static final int STOP = 2;
        volatile int state = WARMUP;
        final LongAdder measured = new LongAdder();
    }

    /** The shared state of a watch fan-out: permits count armed watches and notifications. */
    private static final class FanOut {
        final int watchers;
        final Semaphore armed = new Semaphore(0);
        final Semaphore notified = new Semaphore(0);
        final AtomicLong lastNotified = new AtomicLong();
        final AtomicInteger errors = new AtomicInteger();
        final AtomicReference<String> error = new AtomicReference<>();

        FanOut(int watchers) {
            this.watchers = watchers;
        }

        /** Waits until all watches are armed, fires them, waits for every event: nanoseconds, or -1 on failure. */
        long once(ZooKeeper writer, byte[] value) throws InterruptedException {
            if (!armed.tryAcquire(watchers, 30, TimeUnit.SECONDS)) {
                errors.incrementAndGet();
                error.compareAndSet(null, (watchers - armed.availablePermits()) + " watches not armed after 30 s");
                return -1;
            }
            lastNotified.set(0);
            long t0 = System.nanoTime();
            writer.setData(WATCH, value, -1, (rc, path, ctx, stat) -> {
                if (rc != 0) {
                    errors.incrementAndGet();
                    error.compareAndSet(null, "setData " + KeeperException.Code.get(rc));
                }
            }, null);
            if (!notified.tryAcquire(watchers, 30, TimeUnit.SECONDS)) {
                errors.incrementAndGet();
                error.compareAndSet(null, (watchers - notified.availablePermits()) + " of " + watchers
                        + " watchers not notified after 30 s");
                return -1;
            }
            return lastNotified.get() - t0;
        }
    }

    /** One watcher session: a data watch on {@link #WATCH}, re-armed from its event handler. */
    private static final class WatchClient implements Watcher, AsyncCallback.DataCallback {
        final ZooKeeper zk;
        final FanOut fan;

        WatchClient(ZooKeeper zk, FanOut fan) {
            this.zk = zk;
            this.fan = fan;
        }

        void arm() {
            zk.getData(WATCH, this, this, null);
        }

        @Override
        public void process(WatchedEvent event) {
            if (event.getType() == Event.EventType.NodeDataChanged) {
                long now = System.nanoTime();
                fan.lastNotified.accumulateAndGet(now, Math::max);
                arm();
                fan.notified.release();
            }
        }

        @Override
        public void processResult(int rc, String path, Object ctx, byte[] data, Stat stat) {
            if (rc != 0) {
                fan.errors.incrementAndGet();
                fan.error.compareAndSet(null, "getData(watch) " + KeeperException.Code.get(rc));
            } else {
                fan.armed.release();
            }
        }
    }

    /** One client: a thread that issues requests whenever one of its M slots is free. */
    private final class Driver implements AsyncCallback.StatCallback, AsyncCallback.DataCallback,
            AsyncCallback.StringCallback, AsyncCallback.VoidCallback {
        final ZooKeeper zk;
        final Workload workload;
        final int outstanding;
        final Semaphore slots;
        final Phase phase;
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        final AtomicInteger errors = new AtomicInteger();
        final AtomicReference<String> firstError = new AtomicReference<>();
        final AtomicReference<String> dead = new AtomicReference<>();
        final Queue<String> toDelete = new ConcurrentLinkedQueue<>();
        final Thread thread;

        Driver(int id, ZooKeeper zk, Workload workload, int outstanding, Phase phase) {
            this.zk = zk;
            this.workload = workload;
            this.outstanding = outstanding;
            this.slots = new Semaphore(outstanding);
            this.phase = phase;
            this.thread = new Thread(this::loop, "bench-driver-" + id);
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void loop() {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            try {
                while (phase.state != Phase.STOP) {
                    if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    if (phase.state == Phase.STOP) {
                        slots.release();
                        break;
                    }
                    Long start = System.nanoTime();
                    switch (workload) {
                        case WRITE -> zk.setData(key(rnd.nextInt(settings.keys())), value, -1, this, start);
                        case READ -> zk.getData(key(rnd.nextInt(settings.keys())), false, this, start);
                        case MIX -> {
                            if (rnd.nextInt(100) < settings.readPercent()) {
                                zk.getData(key(rnd.nextInt(settings.keys())), false, this, start);
                            } else {
                                zk.setData(key(rnd.nextInt(settings.keys())), value, -1, this, start);
                            }
                        }
                        case CHURN -> {
                            String victim = toDelete.poll();
                            if (victim != null) {
                                zk.delete(victim, -1, this, start);
                            } else {
                                zk.create(CHURN + "/n-", value, OPEN, CreateMode.EPHEMERAL_SEQUENTIAL, this, start);
                            }
                        }
                        default -> throw new IllegalStateException(workload + " has no driver");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                dead.compareAndSet(null, e.toString());
            }
        }

        /** Waits (up to 30 s) until every request issued has been answered. */
        void drain() throws InterruptedException {
            if (slots.tryAcquire(outstanding, 30, TimeUnit.SECONDS)) {
                slots.release(outstanding);
            } else {
                dead.compareAndSet(null, (outstanding - slots.availablePermits()) + " requests unanswered after 30 s");
            }
        }

        private void done(int rc, Object ctx) {
            long micros = (System.nanoTime() - (Long) ctx) / 1000;
            if (rc != 0) {
                errors.incrementAndGet();
                firstError.compareAndSet(null, KeeperException.Code.get(rc).toString());
            } else if (phase.state == Phase.MEASURE) {
                histogram.recordValue(Math.min(micros, histogram.getHighestTrackableValue()));
                phase.measured.increment();
            }
            slots.release();
        }

        @Override
        public void processResult(int rc, String path, Object ctx, Stat stat) {
            done(rc, ctx);
        }

        @Override
        public void processResult(int rc, String path, Object ctx, byte[] data, Stat stat) {
            done(rc, ctx);
        }

        @Override
        public void processResult(int rc, String path, Object ctx, String name) {
            if (rc == 0) {
                toDelete.add(name);
            }
            done(rc, ctx);
        }

        @Override
        public void processResult(int rc, String path, Object ctx) {
            done(rc, ctx);
        }
    }
}
