package io.ensemble.compat;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** jute.maxbuffer: protocol sections 1.1 and 10.2. */
class LimitsCompatTest extends CompatTestBase {

    @Test
    void dataJustUnderOneMebibyteRoundTrips() throws Exception {
        byte[] big = new byte[1_000_000];
        Arrays.fill(big, (byte) 'z');
        big[0] = 'a';
        big[big.length - 1] = 'b';
        zk.create(p("big"), big, OPEN, CreateMode.PERSISTENT);
        assertThat(zk.getData(p("big"), false, null)).isEqualTo(big);
        assertThat(zk.exists(p("big"), false).getDataLength()).isEqualTo(1_000_000);
    }

    @Test
    void oversizedRequestDropsOnlyThatConnectionAndTheSessionSurvives() throws Exception {
        EventLog log = new EventLog();
        ZooKeeper c = server.connect(log);
        long sessionId = c.getSessionId();
        c.create(p("n"), bytes("small"), OPEN, CreateMode.PERSISTENT);
        c.create(p("eph"), null, OPEN, CreateMode.EPHEMERAL);

        byte[] huge = new byte[2 * 1024 * 1024];
        assertThatThrownBy(() -> c.setData(p("n"), huge, -1))
                .isInstanceOf(KeeperException.ConnectionLossException.class);

        // other sessions are unaffected
        assertThat(str(zk.getData(p("n"), false, null))).isEqualTo("small");
        zk.setData(p("n"), bytes("still serving"), -1);

        // the client reconnects into the same session; its ephemeral was kept
        await().atMost(TestServer.TIMEOUT).until(() -> log.all().stream()
                .filter(e -> e.getType() == EventType.None && e.getState() == KeeperState.SyncConnected).count() >= 2);
        assertThat(c.getSessionId()).isEqualTo(sessionId);
        assertThat(str(c.getData(p("n"), false, null))).isEqualTo("still serving");
        assertThat(zk.exists(p("eph"), false).getEphemeralOwner()).isEqualTo(sessionId);
    }
}
