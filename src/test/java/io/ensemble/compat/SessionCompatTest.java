package io.ensemble.compat;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.ReplyHeader;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Handshake, timeout negotiation, session resumption, close and expiry (protocol sections 2.1-2.9, 11.7-11.10). */
class SessionCompatTest extends CompatTestBase {

    private static String createEphemeralRaw(RawZkConnection raw, String path) throws Exception {
        CreateResponse response = new CreateResponse();
        ReplyHeader h = raw.call(1, new CreateRequest(path, bytes("eph"), OPEN, CreateMode.EPHEMERAL.toFlag()),
                response);
        assertThat(h.getErr()).as("raw create err").isZero();
        assertThat(h.getZxid()).as("reply zxid of a write").isPositive();
        return response.getPath();
    }

    @Test
    void connectEstablishesSessionWithSixteenBytePassword() throws Exception {
        ZooKeeper client = server.connect();
        assertThat(client.getState()).isEqualTo(ZooKeeper.States.CONNECTED);
        assertThat(client.getSessionId()).isNotZero().isNotEqualTo(zk.getSessionId());
        assertThat(client.getSessionPasswd()).hasSize(16);
    }

    @Test
    void requestedTimeoutAboveMaximumIsClampedToTwentyTicks() throws Exception {
        ZooKeeper client = server.connect(server.connectString(), 100_000, new EventLog());
        assertThat(client.getSessionTimeout()).isEqualTo(4000);
    }

    @Test
    void handshakeNegotiatesTimeoutByClampingIntoTwoToTwentyTicks() throws Exception {
        int[][] cases = {{1, 400}, {399, 400}, {400, 400}, {1000, 1000}, {4000, 4000}, {100_000, 4000}};
        for (int[] c : cases) {
            try (RawZkConnection raw = RawZkConnection.connectNew(server.port(), c[0])) {
                ConnectResponse r = raw.connectResponse();
                assertThat(r.getTimeOut()).as("negotiated timeout for a request of %d ms", c[0]).isEqualTo(c[1]);
                assertThat(r.getProtocolVersion()).isZero();
                assertThat(r.getSessionId()).isNotZero();
                assertThat(r.getPasswd()).hasSize(16);
                assertThat(r.getReadOnly()).isFalse();
                assertThat(raw.closeSession().getErr()).isZero();
            }
        }
    }

    @Test
    void resumingWithIdAndPasswordKeepsTheSessionAndItsEphemerals() throws Exception {
        String path;
        long sessionId;
        byte[] passwd;
        try (RawZkConnection raw = RawZkConnection.connectNew(server.port(), 4000)) {
            sessionId = raw.sessionId();
            passwd = raw.passwd();
            path = createEphemeralRaw(raw, p("eph"));
        } // TCP connection dropped without closeSession: the session lives on
        assertThat(path).isEqualTo(p("eph"));
        assertThat(zk.exists(path, false)).as("ephemeral after a connection drop").isNotNull();

        EventLog log = new EventLog();
        ZooKeeper resumed = server.resume(sessionId, passwd, log);
        TestServer.awaitConnected(resumed, log);
        assertThat(resumed.getSessionId()).isEqualTo(sessionId);
        assertThat(resumed.getSessionPasswd()).isEqualTo(passwd);
        assertThat(resumed.getEphemerals(root)).containsExactly(path);
        assertThat(resumed.exists(path, false).getEphemeralOwner()).isEqualTo(sessionId);

        resumed.close();
        assertThat(zk.exists(path, false)).as("ephemeral after closeSession").isNull();
    }

    @Test
    void resumingASessionClosesItsOtherConnection() throws Exception {
        try (RawZkConnection first = RawZkConnection.connectNew(server.port(), 4000);
             RawZkConnection second = RawZkConnection.connect(server.port(), 4000, first.sessionId(), first.passwd())) {
            assertThat(second.sessionId()).isEqualTo(first.sessionId());
            assertThat(second.connectResponse().getTimeOut()).isEqualTo(4000);
            assertThat(second.passwd()).isEqualTo(first.passwd());
            assertThat(first.closedByServer()).as("the session's older connection is closed").isTrue();
            assertThat(second.callFrame(3, new org.apache.zookeeper.proto.ExistsRequest(root, false))
                    .header().getErr()).isZero();
            assertThat(second.closeSession().getErr()).isZero();
            assertThat(second.closedByServer()).as("closed after the closeSession reply").isTrue();
        }
    }

    @Test
    void sessionIdsNeverUseTheTtlMarkerHighByte() throws Exception {
        for (int i = 0; i < 3; i++) {
            try (RawZkConnection raw = RawZkConnection.connectNew(server.port(), 4000)) {
                assertThat(raw.sessionId() >>> 56).isNotEqualTo(0xFFL);
                assertThat(raw.sessionId()).isNotEqualTo(Long.MIN_VALUE);
                raw.closeSession();
            }
        }
        assertThat(zk.getSessionId() >>> 56).isNotEqualTo(0xFFL);
    }

    @Test
    void wrongPasswordIsAnsweredWithZeroTimeoutZeroSessionAndZeroPassword() throws Exception {
        try (RawZkConnection owner = RawZkConnection.connectNew(server.port(), 4000)) {
            byte[] wrong = owner.passwd().clone();
            wrong[0] ^= 0x55;
            try (RawZkConnection intruder = RawZkConnection.connect(server.port(), 4000, owner.sessionId(), wrong)) {
                ConnectResponse r = intruder.connectResponse();
                assertThat(r.getTimeOut()).isZero();
                assertThat(r.getSessionId()).isZero();
                assertThat(r.getPasswd()).isEqualTo(new byte[16]);
                assertThat(intruder.closedByServer()).as("connection closed after the rejected handshake").isTrue();
            }
        }
    }

    @Test
    void javaClientWithWrongPasswordGetsExpired() throws Exception {
        long sessionId;
        try (RawZkConnection owner = RawZkConnection.connectNew(server.port(), 4000)) {
            sessionId = owner.sessionId();
            byte[] wrong = new byte[16];
            Arrays.fill(wrong, (byte) 7);
            EventLog log = new EventLog();
            ZooKeeper client = server.resume(sessionId, wrong, log);
            log.awaitState(KeeperState.Expired);
            await().atMost(TestServer.TIMEOUT).until(() -> client.getState() == ZooKeeper.States.CLOSED);
            assertThat(log.hasState(KeeperState.SyncConnected)).isFalse();
        }
    }

    @Test
    void closedSessionCannotBeResumedAndItsEphemeralsAreGone() throws Exception {
        ZooKeeper owner = server.connect();
        long sessionId = owner.getSessionId();
        byte[] passwd = owner.getSessionPasswd();
        owner.create(p("eph"), null, OPEN, CreateMode.EPHEMERAL);
        owner.close();
        // close() returns after the closeSession reply, so the ephemeral is already gone
        assertThat(zk.exists(p("eph"), false)).isNull();

        EventLog log = new EventLog();
        ZooKeeper resumed = server.resume(sessionId, passwd, log);
        log.awaitState(KeeperState.Expired);
        await().atMost(TestServer.TIMEOUT).until(() -> resumed.getState() == ZooKeeper.States.CLOSED);
    }

    @Test
    void closingASessionDeletesItsEphemeralsAndFiresWatches() throws Exception {
        ZooKeeper owner = server.connect();
        owner.create(p("a"), null, OPEN, CreateMode.EPHEMERAL);
        owner.create(p("b"), null, OPEN, CreateMode.EPHEMERAL_SEQUENTIAL);
        zk.create(p("persistent"), null, OPEN, CreateMode.PERSISTENT);

        EventLog observer = new EventLog();
        ZooKeeper watcher = server.connect();
        assertThat(watcher.exists(p("a"), observer)).isNotNull();
        assertThat(watcher.getChildren(root, observer)).hasSize(3);

        owner.close();
        observer.awaitEvent(EventType.NodeDeleted, p("a"));
        observer.awaitEvent(EventType.NodeChildrenChanged, root);
        assertThat(zk.getChildren(root, false)).containsExactly("persistent");
    }

    @Test
    void ephemeralSurvivesConnectionLossWithinTheSessionTimeout() throws Exception {
        EventLog log = new EventLog();
        ZooKeeper owner = server.connect(log);
        long sessionId = owner.getSessionId();
        owner.create(p("eph"), null, OPEN, CreateMode.EPHEMERAL);

        owner.getTestable().closeSocket();
        log.awaitState(KeeperState.Disconnected);
        await().atMost(TestServer.TIMEOUT).until(() -> log.all().stream()
                .filter(e -> e.getState() == KeeperState.SyncConnected && e.getType() == EventType.None)
                .count() >= 2);

        assertThat(owner.getSessionId()).isEqualTo(sessionId);
        assertThat(log.hasState(KeeperState.Expired)).isFalse();
        Stat stat = zk.exists(p("eph"), false);
        assertThat(stat).isNotNull();
        assertThat(stat.getEphemeralOwner()).isEqualTo(sessionId);
        assertThat(owner.getEphemerals(root)).containsExactly(p("eph"));
    }

    @Test
    void silentSessionExpiresWithinTimeoutPlusTickAndLosesItsEphemerals() throws Exception {
        EventLog observer = new EventLog();
        ZooKeeper watcher = server.connect();
        try (RawZkConnection raw = RawZkConnection.connectNew(server.port(), 2000)) {
            assertThat(raw.connectResponse().getTimeOut()).isEqualTo(2000);
            String path = createEphemeralRaw(raw, p("eph"));
            long lastPacket = System.nanoTime();
            assertThat(watcher.exists(path, observer)).isNotNull();

            // the raw client now sends nothing at all: no pings
            observer.awaitEvent(EventType.NodeDeleted, path);
            long elapsedMs = (System.nanoTime() - lastPacket) / 1_000_000;
            assertThat(elapsedMs).as("session must not expire before its timeout").isGreaterThanOrEqualTo(2000 - 200);
            assertThat(zk.exists(path, false)).isNull();
            assertThat(raw.closedByServer()).as("the server drops the expired session's socket").isTrue();

            EventLog log = new EventLog();
            ZooKeeper resumed = server.resume(raw.sessionId(), raw.passwd(), log);
            log.awaitState(KeeperState.Expired);
            await().atMost(TestServer.TIMEOUT).until(() -> resumed.getState() == ZooKeeper.States.CLOSED);
        }
    }

    @Test
    void sessionKeptAliveByPingsOutlivesItsTimeout() throws Exception {
        EventLog log = new EventLog();
        ZooKeeper client = server.connect(server.connectString(), 2000, log);
        assertThat(client.getSessionTimeout()).isEqualTo(2000);
        client.create(p("eph"), null, OPEN, CreateMode.EPHEMERAL);
        // for twice the timeout the otherwise idle client's pings must keep the session and its ephemeral alive
        await().during(java.time.Duration.ofSeconds(4)).atMost(TestServer.TIMEOUT)
                .until(() -> zk.exists(p("eph"), false) != null);
        assertThat(log.hasState(KeeperState.Expired)).isFalse();
        assertThat(client.exists(p("eph"), false).getEphemeralOwner()).isEqualTo(client.getSessionId());
    }

    @Test
    void readOnlyCapableClientGetsAReadWriteSession() throws Exception {
        EventLog log = new EventLog();
        ZooKeeper client = server.track(new ZooKeeper(server.connectString(), TestServer.SESSION_TIMEOUT, log, true));
        TestServer.awaitConnected(client, log);
        assertThat(log.hasState(KeeperState.ConnectedReadOnly)).isFalse();
        assertThat(client.getState()).isEqualTo(ZooKeeper.States.CONNECTED);
        client.create(p("rw"), null, OPEN, CreateMode.EPHEMERAL);
    }
}
