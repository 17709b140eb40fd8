package io.ensemble.compat;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Many sessions at once: sequence numbers, optimistic versions, fan-out of one event, session churn. */
class ConcurrencyCompatTest extends CompatTestBase {

    @Test
    void concurrentSequentialCreatesFromManySessionsGetEveryNumberExactlyOnce() throws Exception {
        int sessions = 4;
        int perSession = 50;
        List<ZooKeeper> clients = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            clients.add(server.connect());
        }
        Set<String> names = ConcurrentHashMap.newKeySet();
        AtomicInteger failures = new AtomicInteger();
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger replies = new AtomicInteger();
        for (int i = 0; i < perSession; i++) {
            for (ZooKeeper c : clients) {
                c.create(p("job-"), null, OPEN, CreateMode.EPHEMERAL_SEQUENTIAL, (rc, path, ctx, name) -> {
                    if (rc == 0) {
                        names.add(name);
                    } else {
                        failures.incrementAndGet();
                    }
                    if (replies.incrementAndGet() == sessions * perSession) {
                        done.complete(null);
                    }
                }, null);
            }
        }
        done.get(120, TimeUnit.SECONDS);
        assertThat(failures.get()).isZero();
        Set<String> expected = new TreeSet<>();
        for (int i = 0; i < sessions * perSession; i++) {
            expected.add(p(String.format("job-%010d", i)));
        }
        assertThat(new TreeSet<>(names)).isEqualTo(expected);
        Stat parent = zk.exists(root, false);
        assertThat(parent.getNumChildren()).isEqualTo(sessions * perSession);
        assertThat(parent.getCversion()).isEqualTo(sessions * perSession);
    }

    @Test
    void optimisticVersionedUpdatesNeverLoseAnIncrement() throws Exception {
        zk.create(p("counter"), bytes("0"), OPEN, CreateMode.PERSISTENT);
        int threads = 4;
        int increments = 25;
        List<ZooKeeper> clients = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            clients.add(server.connect());
        }
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (ZooKeeper c : clients) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < increments; i++) {
                        while (true) {
                            Stat stat = new Stat();
                            int value = Integer.parseInt(str(c.getData(p("counter"), false, stat)));
                            try {
                                c.setData(p("counter"), bytes(Integer.toString(value + 1)), stat.getVersion());
                                break;
                            } catch (KeeperException.BadVersionException e) {
                                conflicts.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Stat stat = new Stat();
        assertThat(str(zk.getData(p("counter"), false, stat))).isEqualTo(Integer.toString(threads * increments));
        assertThat(stat.getVersion()).isEqualTo(threads * increments);
    }

    @Test
    void oneChangeNotifiesEveryWatchingSession() throws Exception {
        zk.create(p("n"), null, OPEN, CreateMode.PERSISTENT);
        int sessions = 10;
        List<EventLog> logs = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            EventLog log = new EventLog();
            server.connect().getData(p("n"), log, null);
            logs.add(log);
        }
        Stat stat = zk.setData(p("n"), bytes("x"), -1);
        for (EventLog log : logs) {
            log.awaitEvent(EventType.NodeDataChanged, p("n"));
            assertThat(log.nodeEvents().get(0).getZxid()).as("event zxid is the write's zxid")
                    .isEqualTo(stat.getMzxid());
        }
    }

    @Test
    void sessionChurnLeavesNoEphemeralsBehind() throws Exception {
        int sessions = 20;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                int id = i;
                futures.add(pool.submit(() -> {
                    ZooKeeper c = server.connect();
                    c.create(p("member-" + id), null, OPEN, CreateMode.EPHEMERAL);
                    c.create(p("seq-"), null, OPEN, CreateMode.EPHEMERAL_SEQUENTIAL);
                    c.close();
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(zk.getChildren(root, false)).isEmpty();
        Stat parent = zk.exists(root, false);
        assertThat(parent.getCversion()).as("40 creations + 40 deletions").isEqualTo(4 * sessions);
        // the next sequence number counts every creation
        assertThat(zk.create(p("seq-"), null, OPEN, CreateMode.PERSISTENT_SEQUENTIAL))
                .isEqualTo(p(String.format("seq-%010d", 2 * sessions)));
    }
}
