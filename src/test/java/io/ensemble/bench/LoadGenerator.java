package io.ensemble.bench;

import org.HdrHistogram.Histogram;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load generator: N official Apache ZooKeeper Java clients (one session and one connection each), each keeping
 * M asynchronous requests outstanding. Latency is measured from the async call to its callback, in microseconds,
 * into one HdrHistogram per client (its callbacks all run on that client's event thread). Only operations that
 * complete inside the measured interval count; the interval ends at {@code seconds} or {@code maxOps}.
 */
final class LoadGenerator {
    static final String KEYS = "/bench";
    static final String CHURN = "/bench-churn";
    private static final List<ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;
    private static final int SESSION_TIMEOUT_MS = 30_000;

    enum Workload {
        WRITE("write", "setData of an existing znode"),
        READ("read", "getData of an existing znode"),
        MIX("mix", "getData / setData mix"),
        CHURN("churn", "create EPHEMERAL_SEQUENTIAL, then delete it (each counts as one op)");

        final String key;
        final String description;

        Workload(String key, String description) {
            this.key = key;
            this.description = description;
        }

        static Workload of(String key) {
            for (Workload w : values()) {
                if (w.key.equalsIgnoreCase(key.trim())) {
                    return w;
                }
            }
            throw new IllegalArgumentException("unknown workload '" + key + "' (write, read, mix, churn)");
        }
    }

    record Settings(int clients, int outstanding, int warmupSeconds, int seconds, long maxOps, int valueSize,
                    int keys, int readPercent) {
    }

    /** The outcome of one measured interval against one server. */
    record Result(long ops, double seconds, Histogram latencyMicros, long errors, String firstError) {
        double opsPerSecond() {
            return ops / seconds;
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

    /** Creates the key znodes {@code /bench/k<i>} and the churn parent, if missing. */
    void prepare(String connectString) throws Exception {
        try (ZooKeeper zk = connect(connectString)) {
            for (String p : List.of(KEYS, CHURN)) {
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
    }

    /**
     * Runs one workload: connect the clients, warm up, measure, drain, close. {@code onMeasureStart} and
     * {@code onMeasureEnd} run on the calling thread at the edges of the measured interval (server CPU/RSS probes).
     */
    Result run(String connectString, Workload workload, int outstanding, Runnable onMeasureStart,
               Runnable onMeasureEnd) throws Exception {
        int n = settings.clients();
        List<ZooKeeper> zks = new ArrayList<>(n);
        List<Driver> drivers = new ArrayList<>(n);
        Phase phase = new Phase();
        try {
            for (int i = 0; i < n; i++) {
                ZooKeeper zk = connect(connectString);
                zks.add(zk);
                drivers.add(new Driver(i, zk, workload, outstanding, phase));
            }
            drivers.forEach(Driver::start);
            Thread.sleep(settings.warmupSeconds() * 1000L); // a fixed warm-up window is the point of a benchmark
            onMeasureStart.run();
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
            onMeasureEnd.run();
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
            return new Result(phase.measured.sum(), (t1 - t0) / 1e9, all, errors, firstError);
        } finally {
            phase.state = Phase.STOP;
            for (Driver d : drivers) {
                d.thread.interrupt();
            }
            for (ZooKeeper zk : zks) {
                zk.close(5000);
            }
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

    private static final class Phase {
        static final int WARMUP = 0;
        static final int MEASURE = 1;
        static final int STOP = 2;
        volatile int state = WARMUP;
        final LongAdder measured = new LongAdder();
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
        public void processResult(int rc, String path, Object ctx, org.apache.zookeeper.data.Stat stat) {
            done(rc, ctx);
        }

        @Override
        public void processResult(int rc, String path, Object ctx, byte[] data,
                                  org.apache.zookeeper.data.Stat stat) {
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
