package io.ensemble.cluster;

import io.ensemble.cluster.ClusterClients.Events;
import io.ensemble.testing.Clients;
import io.ensemble.testing.ConsolesOnFailure;
import io.ensemble.testing.EnsembleCluster;
import io.ensemble.testing.LoopbackProxy;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ensemble.cluster.ClusterClients.TIMEOUT;
import static io.ensemble.cluster.ClusterClients.bytes;
import static io.ensemble.cluster.ClusterClients.clientPorts;
import static io.ensemble.cluster.ClusterClients.connectInOrder;
import static io.ensemble.cluster.ClusterClients.connectedTo;
import static io.ensemble.cluster.ClusterClients.existsAfterSync;
import static io.ensemble.cluster.ClusterClients.serving;
import static io.ensemble.cluster.ClusterClients.sync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A session is the ensemble's, not one server's: it moves between servers with its ephemerals and its watches
 * (the client re-registers them with setWatches), and when it expires its ephemerals go on every server. Every
 * peer link is proxied so that one follower can be cut off from the leader.
 */
class SessionMoveIT {
    private static final int SESSION_TIMEOUT = 4000; // the most tickTime=200 allows (20 ticks)

    @TempDir
    static Path dir;
    static EnsembleCluster cluster;

    @RegisterExtension
    final ConsolesOnFailure consolesOnFailure = new ConsolesOnFailure(() -> cluster, 80);
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = EnsembleCluster.builder(dir).voters(3).proxyAllLinks().build();
        cluster.startAll();
        cluster.awaitServing(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Every test leaves three serving servers behind, whatever it broke. */
    @AfterEach
    void heal() throws Exception {
        for (int i = closeAfter.size() - 1; i >= 0; i--) {
            closeAfter.get(i).close();
        }
        for (int a : cluster.ids()) {
            for (int b : cluster.ids()) {
                if (a < b) {
                    cluster.link(a, b).restore();
                }
            }
        }
        for (int id : cluster.ids()) {
            if (!cluster.server(id).isAlive()) {
                cluster.start(id);
            }
        }
        cluster.awaitServing(Duration.ofSeconds(60));
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeAfter.add(c);
        return c;
    }

    private ZooKeeper client(int id) throws Exception {
        ZooKeeper zk = Clients.connect(cluster.connectString(id), SESSION_TIMEOUT);
        closeAfter.add(zk::close);
        return zk;
    }

    @Test
    void sessionMovesToAnotherFollowerWithItsEphemeralAndWatchesWhenItsServerDies() throws Exception {
        int leader = cluster.leader();
        List<Integer> followers = cluster.ids().stream().filter(id -> id != leader).toList();
        int first = followers.get(0);
        int second = followers.get(1);
        ZooKeeper admin = client(leader);
        admin.create("/move", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        admin.create("/move/data", bytes("v0"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        Events events = new Events();
        ZooKeeper mover = closeLater(connectInOrder(clientPorts(cluster, first, second), SESSION_TIMEOUT, events));
        long session = mover.getSessionId();
        assertThat(connectedTo(cluster, first, session)).as("starts on server %d", first).isTrue();
        mover.create("/move/eph", bytes("mine"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        Events dataWatch = new Events();
        Events childWatch = new Events();
        assertThat(mover.getData("/move/data", dataWatch, null)).isEqualTo(bytes("v0"));
        assertThat(mover.getChildren("/move", childWatch)).containsExactlyInAnyOrder("data", "eph");

        cluster.kill9(first);

        await("the session moves to server " + second).atMost(TIMEOUT)
                .until(() -> connectedTo(cluster, second, session));
        assertThat(mover.getSessionId()).isEqualTo(session);
        assertThat(events.has(KeeperState.Disconnected)).as("the client saw its server go").isTrue();
        assertThat(events.count(KeeperState.SyncConnected)).as(events.toString()).isEqualTo(2);
        assertThat(events.has(KeeperState.Expired)).as(events.toString()).isFalse();
        Stat eph = mover.exists("/move/eph", false);
        assertThat(eph).as("the ephemeral survives the move").isNotNull();
        assertThat(eph.getEphemeralOwner()).isEqualTo(session);
        assertThat(existsAfterSync(admin, "/move/eph")).as("the leader still has the ephemeral").isNotNull();

        // The watches were set on the dead server; the client re-registered them on the new one.
        assertThat(dataWatch.nodeEvents()).as("no data event yet").isEmpty();
        assertThat(childWatch.nodeEvents()).as("no child event yet").isEmpty();
        admin.setData("/move/data", bytes("v1"), -1);
        await("data watch fires on server " + second).atMost(TIMEOUT)
                .until(() -> dataWatch.has(EventType.NodeDataChanged, "/move/data"));
        admin.create("/move/child", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        await("child watch fires on server " + second).atMost(TIMEOUT)
                .until(() -> childWatch.has(EventType.NodeChildrenChanged, "/move"));
        assertThat(dataWatch.nodeEvents()).as("one-shot data watch").hasSize(1);
        assertThat(childWatch.nodeEvents()).as("one-shot child watch").hasSize(1);
        assertThat(mover.getData("/move/data", false, null)).isEqualTo(bytes("v1"));
    }

    @Test
    void sessionIdAndPasswordResumeTheSessionOnAnotherServer() throws Exception {
        int leader = cluster.leader();
        int follower = cluster.ids().stream().filter(id -> id != leader).findFirst().orElseThrow();
        int other = cluster.ids().stream().filter(id -> id != leader && id != follower).findFirst().orElseThrow();
        ZooKeeper admin = client(leader);
        admin.create("/handoff", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        LoopbackProxy toFollower = closeLater(new LoopbackProxy("client->" + follower,
                cluster.ports(follower).client()));
        Events firstEvents = new Events();
        ZooKeeper first = connectInOrder(List.of(toFollower.port()), SESSION_TIMEOUT, firstEvents);
        closeAfter.add(() -> first.close(1000));
        long session = first.getSessionId();
        byte[] password = first.getSessionPasswd();
        first.create("/handoff/eph", bytes("e"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);

        toFollower.cut(); // the first client loses its server and cannot reach any other
        firstEvents.awaitState(KeeperState.Disconnected);

        Events wrongEvents = new Events();
        byte[] wrong = password.clone();
        wrong[0] ^= 1;
        ZooKeeper impostor = closeLater(ClusterClients.resume(clientPorts(cluster, other), SESSION_TIMEOUT,
                wrongEvents, session, wrong));
        await("a wrong password is refused as an expired session").atMost(TIMEOUT)
                .until(() -> wrongEvents.has(KeeperState.Expired));
        impostor.close();

        Events events = new Events();
        ZooKeeper second = closeLater(ClusterClients.resume(clientPorts(cluster, other), SESSION_TIMEOUT, events,
                session, password));
        events.awaitState(KeeperState.SyncConnected);
        assertThat(second.getSessionId()).isEqualTo(session);
        assertThat(connectedTo(cluster, other, session)).isTrue();
        Stat eph = second.exists("/handoff/eph", false);
        assertThat(eph).as("the ephemeral of the resumed session").isNotNull();
        assertThat(eph.getEphemeralOwner()).isEqualTo(session);

        Events watch = new Events();
        assertThat(second.getData("/handoff/eph", watch, null)).isEqualTo(bytes("e"));
        admin.setData("/handoff/eph", bytes("f"), -1);
        await("a watch of the resumed session fires").atMost(TIMEOUT)
                .until(() -> watch.has(EventType.NodeDataChanged, "/handoff/eph"));

        second.close(); // closeSession: the ephemeral goes everywhere
        for (int id : cluster.ids()) {
            ZooKeeper reader = client(id);
            assertThat(existsAfterSync(reader, "/handoff/eph")).as("server %d after closeSession", id).isNull();
        }
    }

    /**
     * As ZooKeeper's QuorumTest.testSessionMoved: once a session has been resumed on another server, a write still
     * sent on its old connection must not succeed (ZooKeeper's leader sees the session owned by another server,
     * answers SESSIONMOVED and the old server closes that connection, so the old client gets ConnectionLoss).
     * Otherwise two connections write in one session and its requests are no longer in one order.
     */
    @Test
    void theOldConnectionOfAMovedSessionCannotWrite() throws Exception {
        int leader = cluster.leader();
        List<Integer> followers = cluster.ids().stream().filter(id -> id != leader).toList();
        ZooKeeper admin = client(leader);
        admin.create("/moved", bytes("0"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        LoopbackProxy toFirst = closeLater(new LoopbackProxy("client->" + followers.get(0),
                cluster.ports(followers.get(0)).client()));
        Events oldEvents = new Events();
        ZooKeeper old = connectInOrder(List.of(toFirst.port()), SESSION_TIMEOUT, oldEvents);
        closeAfter.add(() -> {
            toFirst.cut(); // so that close() cannot reach a server: no closeSession for the moved session
            old.close(1000);
        });
        long session = old.getSessionId();

        Events newEvents = new Events();
        ZooKeeper moved = closeLater(ClusterClients.resume(clientPorts(cluster, followers.get(1)), SESSION_TIMEOUT,
                newEvents, session, old.getSessionPasswd()));
        newEvents.awaitState(KeeperState.SyncConnected);
        moved.setData("/moved", bytes("new"), -1);
        sync(moved, "/");

        CompletableFuture<Integer> stale = new CompletableFuture<>();
        old.setData("/moved", bytes("stale"), -1, (rc, path, ctx, stat) -> stale.complete(rc), null);
        KeeperException.Code rc = KeeperException.Code.get(stale.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        toFirst.cut(); // do not let the old client take the session back
        sync(admin, "/");
        String data = new String(admin.getData("/moved", false, null), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(rc + ", /moved=" + data).as("the old connection's write after the session moved (old client's "
                        + "events: %s)", oldEvents)
                .isIn(KeeperException.Code.CONNECTIONLOSS + ", /moved=new", KeeperException.Code.SESSIONMOVED
                        + ", /moved=new");
    }

    @Test
    void expiredSessionsEphemeralsDisappearOnEveryServer() throws Exception {
        int leader = cluster.leader();
        int follower = cluster.ids().stream().filter(id -> id != leader).findFirst().orElseThrow();
        List<ZooKeeper> readers = new ArrayList<>();
        for (int id : cluster.ids()) {
            readers.add(client(id));
        }
        readers.getFirst().create("/expiring", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        LoopbackProxy toFollower = closeLater(new LoopbackProxy("client->" + follower,
                cluster.ports(follower).client()));
        Events events = new Events();
        ZooKeeper doomed = connectInOrder(List.of(toFollower.port()), 2000, events);
        closeAfter.add(() -> doomed.close(1000));
        long session = doomed.getSessionId();
        doomed.create("/expiring/eph", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        List<Events> deletions = new ArrayList<>();
        for (ZooKeeper r : readers) {
            Events watch = new Events();
            deletions.add(watch);
            sync(r, "/");
            assertThat(r.exists("/expiring/eph", watch)).isNotNull();
        }

        // The client's TCP connection goes and it never reaches a server again; it never sends closeSession.
        toFollower.cut();
        for (int i = 0; i < readers.size(); i++) {
            ZooKeeper r = readers.get(i);
            int id = cluster.ids().get(i);
            await("the expired session's ephemeral is gone on server " + id).atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> existsAfterSync(r, "/expiring/eph") == null);
        }
        for (int i = 0; i < deletions.size(); i++) {
            assertThat(deletions.get(i).has(EventType.NodeDeleted, "/expiring/eph"))
                    .as("the watch on server %d saw the expiry delete the ephemeral", cluster.ids().get(i)).isTrue();
        }
        assertThat(cluster.server(leader).fourLetterWord("dump")).as("the leader's session list")
                .doesNotContain("0x" + Long.toHexString(session));

        toFollower.restore();
        await("the returning client learns its session expired").atMost(TIMEOUT)
                .until(() -> events.has(KeeperState.Expired));
    }

    @Test
    void followerCutOffFromTheLeaderStopsServingAndItsClientMovesOnWithItsSession() throws Exception {
        int leader = cluster.leader();
        List<Integer> followers = cluster.ids().stream().filter(id -> id != leader).toList();
        int isolated = followers.get(0);
        int other = followers.get(1);
        ZooKeeper admin = client(leader);
        admin.create("/isolated", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        Events events = new Events();
        ZooKeeper mover = closeLater(connectInOrder(clientPorts(cluster, isolated, other, leader), SESSION_TIMEOUT,
                events));
        long session = mover.getSessionId();
        assertThat(connectedTo(cluster, isolated, session)).isTrue();
        mover.create("/isolated/eph", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);

        cluster.link(leader, isolated).blackhole(); // a silent link: no close, just nothing more from the leader

        await("server " + isolated + " stops serving once its leader is silent for syncLimit ticks")
                .atMost(Duration.ofSeconds(15)).until(() -> !serving(cluster, isolated));
        await("the client moves to another server").atMost(TIMEOUT)
                .until(() -> connectedTo(cluster, other, session) || connectedTo(cluster, leader, session));
        assertThat(events.has(KeeperState.Expired)).as(events.toString()).isFalse();
        assertThat(mover.getSessionId()).isEqualTo(session);
        mover.create("/isolated/after", bytes("x"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertThat(mover.exists("/isolated/eph", false)).as("the ephemeral is kept").isNotNull()
                .extracting(Stat::getEphemeralOwner).isEqualTo(session);
        assertThat(serving(cluster, leader)).as("the leader keeps its quorum").isTrue();
        assertThat(serving(cluster, isolated)).as("still cut off").isFalse();

        cluster.link(leader, isolated).restore();
        await("server " + isolated + " rejoins").atMost(TIMEOUT)
                .until(() -> "follower".equals(cluster.mode(isolated)));
        ZooKeeper back = client(isolated);
        assertThat(existsAfterSync(back, "/isolated/after")).as("the rejoined follower caught up").isNotNull();
        assertThat(existsAfterSync(back, "/isolated/eph")).isNotNull();
    }
}
