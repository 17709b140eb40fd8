package io.ensemble.compat;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Curator 5 recipes against the server (protocol section 12, "Curator 5.x"). */
class CuratorRecipesCompatTest extends CompatTestBase {

    @Test
    void leaderLatchElectsExactlyOneLeaderAndFailsOver() throws Exception {
        CuratorFramework c1 = server.curator();
        CuratorFramework c2 = server.curator();
        LeaderLatch l1 = new LeaderLatch(c1, p("leader"), "one");
        LeaderLatch l2 = new LeaderLatch(c2, p("leader"), "two");
        l1.start();
        l2.start();
        try {
            await().atMost(TestServer.TIMEOUT).until(() -> l1.hasLeadership() || l2.hasLeadership());
            // both latches agree on the leader
            await().atMost(TestServer.TIMEOUT).until(() -> l1.getLeader().isLeader() && l2.getLeader().isLeader()
                    && l1.getLeader().getId().equals(l2.getLeader().getId()));
            assertThat(l1.hasLeadership() ^ l2.hasLeadership()).as("exactly one leader").isTrue();
            assertThat(l1.getParticipants()).hasSize(2);

            LeaderLatch leader = l1.hasLeadership() ? l1 : l2;
            LeaderLatch follower = leader == l1 ? l2 : l1;
            leader.close();
            assertThat(follower.await(30, TimeUnit.SECONDS)).as("leadership fails over").isTrue();
            assertThat(follower.hasLeadership()).isTrue();
            await().atMost(TestServer.TIMEOUT).until(() -> follower.getParticipants().size() == 1);
        } finally {
            for (LeaderLatch l : List.of(l1, l2)) {
                if (l.getState() == LeaderLatch.State.STARTED) {
                    l.close();
                }
            }
        }
    }

    @Test
    void interProcessMutexSerializesIncrementsOfASharedCounter() throws Exception {
        String counter = p("counter");
        zk.create(counter, bytes("0"), OPEN, CreateMode.PERSISTENT);
        List<CuratorFramework> clients = List.of(server.curator(), server.curator(), server.curator());
        int threads = 5;
        int increments = 20;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                CuratorFramework client = clients.get(t % clients.size());
                futures.add(pool.submit(() -> {
                    InterProcessMutex mutex = new InterProcessMutex(client, p("lock"));
                    for (int i = 0; i < increments; i++) {
                        if (!mutex.acquire(60, TimeUnit.SECONDS)) {
                            throw new AssertionError("lock not acquired");
                        }
                        try {
                            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            int value = Integer.parseInt(str(client.getData().forPath(counter)));
                            client.setData().forPath(counter, bytes(Integer.toString(value + 1)));
                            inside.decrementAndGet();
                        } finally {
                            mutex.release();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(150, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(maxInside.get()).as("never two holders at once").isEqualTo(1);
        Stat stat = new Stat();
        assertThat(str(zk.getData(counter, false, stat))).isEqualTo(Integer.toString(threads * increments));
        assertThat(stat.getVersion()).isEqualTo(threads * increments);
        // every lock node is gone, so the lock's parent (a container Curator created) is reaped
        await().atMost(TestServer.TIMEOUT).until(() -> zk.exists(p("lock"), false) == null);
    }

    @Test
    void distributedAtomicLongCountsConcurrentIncrementsExactly() throws Exception {
        List<CuratorFramework> clients = List.of(server.curator(), server.curator());
        int threads = 4;
        int increments = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                CuratorFramework client = clients.get(t % clients.size());
                futures.add(pool.submit(() -> {
                    DistributedAtomicLong counter = new DistributedAtomicLong(client, p("dal"), new RetryNTimes(50, 10));
                    for (int i = 0; i < increments; i++) {
                        AtomicValue<Long> v;
                        do {
                            v = counter.increment();
                        } while (!v.succeeded());
                        assertThat(v.postValue()).isEqualTo(v.preValue() + 1);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(150, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        AtomicValue<Long> total = new DistributedAtomicLong(curator, p("dal"), new RetryNTimes(3, 10)).get();
        assertThat(total.succeeded()).isTrue();
        assertThat(total.postValue()).isEqualTo((long) threads * increments);
    }

    @Test
    void curatorCacheSeesCreateUpdateAndDelete() throws Exception {
        String base = p("cache");
        zk.create(base, bytes("base"), OPEN, CreateMode.PERSISTENT);
        zk.create(base + "/pre", bytes("pre"), OPEN, CreateMode.PERSISTENT);
        List<String> events = new CopyOnWriteArrayList<>();
        CuratorCache cache = CuratorCache.build(curator, base);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreates(n -> events.add("create " + n.getPath() + " " + str(n.getData())))
                .forChanges((old, n) -> events.add("change " + n.getPath() + " " + str(old.getData()) + "->"
                        + str(n.getData())))
                .forDeletes(old -> events.add("delete " + old.getPath()))
                .forInitialized(() -> events.add("initialized"))
                .build());
        cache.start();
        try {
            await().atMost(TestServer.TIMEOUT).until(() -> events.contains("initialized"));
            assertThat(events).contains("create " + base + " base", "create " + base + "/pre pre");

            zk.create(base + "/a", bytes("1"), OPEN, CreateMode.PERSISTENT);
            await().atMost(TestServer.TIMEOUT).until(() -> events.contains("create " + base + "/a 1"));
            zk.setData(base + "/a", bytes("2"), -1);
            await().atMost(TestServer.TIMEOUT).until(() -> events.contains("change " + base + "/a 1->2"));
            zk.create(base + "/a/deep", bytes("d"), OPEN, CreateMode.PERSISTENT);
            await().atMost(TestServer.TIMEOUT).until(() -> events.contains("create " + base + "/a/deep d"));
            zk.delete(base + "/a/deep", -1);
            zk.delete(base + "/a", -1);
            await().atMost(TestServer.TIMEOUT).until(() -> events.contains("delete " + base + "/a"));
            assertThat(events).contains("delete " + base + "/a/deep");
            assertThat(cache.get(base + "/a")).isEmpty();
            assertThat(cache.get(base + "/pre")).isPresent();
        } finally {
            cache.close();
        }
    }

    @Test
    void creatingParentContainersIfNeededMakesReapableContainers() throws Exception {
        String leaf = p("x/y/leaf");
        curator.create().creatingParentContainersIfNeeded().forPath(leaf, bytes("v"));
        assertThat(str(zk.getData(leaf, false, null))).isEqualTo("v");
        assertThat(zk.exists(p("x/y"), false).getEphemeralOwner()).isZero();

        zk.delete(leaf, -1);
        // the parents were created as containers: once emptied they are reaped, bottom-up
        await().atMost(TestServer.TIMEOUT).until(() -> zk.exists(p("x/y"), false) == null);
        await().atMost(TestServer.TIMEOUT).until(() -> zk.exists(p("x"), false) == null);
        assertThat(zk.exists(root, false)).as("the test root is a persistent node").isNotNull();
    }

    @Test
    void protectedEphemeralSequentialNodeCarriesTheProtectionPrefix() throws Exception {
        String path = curator.create().withProtection().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                .forPath(p("node-"), bytes("p"));
        String name = path.substring(root.length() + 1);
        assertThat(name).matches("_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-node-\\d{10}");
        assertThat(name).endsWith("-node-0000000000");
        Stat stat = zk.exists(path, false);
        assertThat(stat.getEphemeralOwner()).isEqualTo(curator.getZookeeperClient().getZooKeeper().getSessionId());
        assertThat(zk.getChildren(root, false)).containsExactly(name);
    }

    @Test
    void curatorTransactionAndTtlNodes() throws Exception {
        var results = curator.transaction().forOperations(
                curator.transactionOp().create().forPath(p("t1"), bytes("a")),
                curator.transactionOp().create().forPath(p("t2"), bytes("b")),
                curator.transactionOp().setData().forPath(p("t1"), bytes("c")));
        assertThat(results).hasSize(3);
        assertThat(str(zk.getData(p("t1"), false, null))).isEqualTo("c");

        curator.create().withTtl(300).withMode(CreateMode.PERSISTENT_WITH_TTL).forPath(p("ttl"));
        assertThat(zk.exists(p("ttl"), false)).isNotNull();
        await().atMost(TestServer.TIMEOUT).until(() -> zk.exists(p("ttl"), false) == null);
    }

    @Test
    void persistentEphemeralNodeIsRecreatedAfterServerSideSessionExpiry() throws Exception {
        String path = p("member");
        try (TcpProxy proxy = new TcpProxy(server.port())) {
            CuratorFramework client = server.curator(proxy.connectString(), 2000);
            List<org.apache.curator.framework.state.ConnectionState> states = new CopyOnWriteArrayList<>();
            client.getConnectionStateListenable().addListener((c, state) -> states.add(state));
            try (org.apache.curator.framework.recipes.nodes.PersistentNode node =
                         new org.apache.curator.framework.recipes.nodes.PersistentNode(client, CreateMode.EPHEMERAL,
                                 false, path, bytes("me"))) {
                node.start();
                assertThat(node.waitForInitialCreate(30, TimeUnit.SECONDS)).isTrue();
                long firstOwner = zk.exists(path, false).getEphemeralOwner();
                assertThat(firstOwner).isEqualTo(client.getZookeeperClient().getZooKeeper().getSessionId());

                EventLog log = new EventLog();
                zk.exists(path, log);
                proxy.cut();
                // the server expires the silent session and deletes its ephemeral
                log.awaitEvent(org.apache.zookeeper.Watcher.Event.EventType.NodeDeleted, path);
                proxy.restore();
                // Curator notices (LOST), opens a new session and the recipe re-creates the node
                await().atMost(TestServer.TIMEOUT).until(() -> {
                    Stat st = zk.exists(path, false);
                    return st != null && st.getEphemeralOwner() != firstOwner;
                });
                assertThat(states).contains(org.apache.curator.framework.state.ConnectionState.LOST);
                assertThat(zk.exists(path, false).getEphemeralOwner())
                        .isEqualTo(client.getZookeeperClient().getZooKeeper().getSessionId());
                assertThat(str(zk.getData(path, false, null))).isEqualTo("me");
            }
        }
    }

    @Test
    void sharedCountAndPersistentWatcherSeeEachUpdate() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        try (org.apache.curator.framework.recipes.shared.SharedCount count =
                     new org.apache.curator.framework.recipes.shared.SharedCount(curator, p("count"), 0);
             org.apache.curator.framework.recipes.watch.PersistentWatcher watcher =
                     new org.apache.curator.framework.recipes.watch.PersistentWatcher(curator, p("count"), false)) {
            List<String> events = new CopyOnWriteArrayList<>();
            watcher.getListenable().addListener(e -> events.add(e.getType() + " " + e.getPath()));
            watcher.start();
            count.addListener(new org.apache.curator.framework.recipes.shared.SharedCountListener() {
                @Override
                public void countHasChanged(org.apache.curator.framework.recipes.shared.SharedCountReader r, int n) {
                    seen.add(n);
                }

                @Override
                public void stateChanged(CuratorFramework c, org.apache.curator.framework.state.ConnectionState s) {
                }
            });
            count.start();
            var initial = count.getVersionedValue();
            for (int i = 1; i <= 3; i++) {
                var version = count.getVersionedValue();
                assertThat(count.trySetCount(version, version.getValue() + 1)).isTrue();
            }
            assertThat(count.getCount()).isEqualTo(3);
            assertThat(count.trySetCount(initial, 100)).as("stale version is refused").isFalse();
            await().atMost(TestServer.TIMEOUT).until(() -> seen.contains(3));
            await().atMost(TestServer.TIMEOUT).until(() -> events.stream()
                    .filter(e -> e.equals("NodeDataChanged " + p("count"))).count() >= 3);
        }
    }
}
