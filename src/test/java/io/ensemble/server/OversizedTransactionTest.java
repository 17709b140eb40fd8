package io.ensemble.server;

import io.ensemble.config.ServerConfig;
import io.ensemble.testing.Clients;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A transaction can outgrow the request that made it. One the log could not read back must be refused before it
 * is logged (logged, it would keep the server from starting: the entry looks corrupt); one within twice
 * jute.maxbuffer, as ZooKeeper reads its log, must be accepted and recovered.
 */
class OversizedTransactionTest {

    @TempDir
    Path dir;

    private EnsembleServer start() throws Exception {
        EnsembleServer server = new EnsembleServer(ServerConfig.builder().clientPort(0).tickTime(200).dataDir(dir)
                .adminEnableServer(false).build());
        server.start();
        return server;
    }

    @Test
    void aSequentialMultiLargerAsATransactionThanAsARequestIsLoggedAndRecovered() throws Exception {
        int ops;
        EnsembleServer server = start();
        try (ZooKeeper zk = Clients.connect(server.clientPort(), 4000)) {
            zk.create("/s", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            // ~51 bytes per op on the wire, ~61 in the log (the 10-digit suffix): ~1 MB of request, ~1.2 MB logged
            List<Op> multi = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                multi.add(Op.create("/s/", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT_SEQUENTIAL));
            }
            zk.multi(multi);
            zk.setData("/s", new byte[1], -1); // an entry after it: a bad one in between would refuse to start
            ops = multi.size();
        } finally {
            server.close();
        }
        EnsembleServer again = start();
        try (ZooKeeper zk = Clients.connect(again.clientPort(), 4000)) {
            assertThat(zk.getChildren("/s", false)).hasSize(ops);
        } finally {
            again.close();
        }
    }

    @Test
    void aMultiWhoseAuthAclsExpandPastWhatTheLogReadsIsRefused() throws Exception {
        EnsembleServer server = start();
        try (ZooKeeper zk = Clients.connect(server.clientPort(), 4000)) {
            for (int i = 0; i < 20; i++) {
                zk.addAuthInfo("digest", ("user-" + i + ":secret").getBytes(StandardCharsets.UTF_8));
            }
            zk.create("/a", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            List<Op> multi = new ArrayList<>();
            for (int i = 0; i < 2000; i++) { // ~100 KB of request, each "auth" ACL becomes 20 digest entries
                multi.add(Op.create(String.format("/a/%07d", i), new byte[0], ZooDefs.Ids.CREATOR_ALL_ACL,
                        CreateMode.PERSISTENT));
            }
            assertThatThrownBy(() -> zk.multi(multi)).isInstanceOf(KeeperException.BadArgumentsException.class);
            assertThat(zk.getChildren("/a", false)).isEmpty();
            // a smaller one of the same kind goes through
            zk.multi(multi.subList(0, 100));
            assertThat(zk.getChildren("/a", false)).hasSize(100);
        } finally {
            server.close();
        }
    }
}
