package io.ensemble.compat;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;

/** A watcher that records every event it is given, in delivery order. */
final class EventLog implements Watcher {
    /** Parent of barrier nodes; outside every tree a test watches. */
    static final String BARRIER_ROOT = "/barriers";

    private final List<WatchedEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void process(WatchedEvent event) {
        events.add(event);
    }

    List<WatchedEvent> all() {
        return List.copyOf(events);
    }

    /** Node events (type != None), in order. */
    List<WatchedEvent> nodeEvents() {
        return events.stream().filter(e -> e.getType() != Event.EventType.None).toList();
    }

    /** Node events as "Type path" strings, barrier events excluded. */
    List<String> describe() {
        return nodeEvents().stream()
                .filter(e -> e.getPath() == null || !e.getPath().startsWith(BARRIER_ROOT + "/"))
                .map(e -> e.getType() + " " + e.getPath())
                .toList();
    }

    long count(Event.EventType type, String path) {
        return events.stream().filter(e -> e.getType() == type && path.equals(e.getPath())).count();
    }

    boolean hasState(Event.KeeperState state) {
        return events.stream().anyMatch(e -> e.getType() == Event.EventType.None && e.getState() == state);
    }

    void awaitEvent(Event.EventType type, String path) {
        await(type + " on " + path).atMost(TestServer.TIMEOUT).until(() -> count(type, path) > 0);
    }

    void awaitCount(Event.EventType type, String path, long n) {
        await(n + " x " + type + " on " + path).atMost(TestServer.TIMEOUT).until(() -> count(type, path) >= n);
    }

    void awaitState(Event.KeeperState state) {
        await("state " + state).atMost(TestServer.TIMEOUT).until(() -> hasState(state));
    }

    void clear() {
        events.clear();
    }

    /**
     * Makes sure every event the server queued to {@code zk}'s connection before now has been delivered to this
     * log: sets an exists watch on a fresh barrier node, creates it through the same connection and waits for its
     * NodeCreated. Events on one connection are delivered in order by one event thread, so anything triggered
     * earlier has been delivered once the barrier event arrives.
     */
    void barrier(ZooKeeper zk) throws Exception {
        String path = BARRIER_ROOT + "/b-" + UUID.randomUUID();
        if (zk.exists(BARRIER_ROOT, false) == null) {
            try {
                zk.create(BARRIER_ROOT, null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            } catch (org.apache.zookeeper.KeeperException.NodeExistsException ignored) {
                // created concurrently
            }
        }
        zk.exists(path, this);
        zk.create(path, null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        awaitEvent(Event.EventType.NodeCreated, path);
    }
}
