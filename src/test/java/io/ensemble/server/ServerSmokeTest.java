package io.ensemble.server;

import io.ensemble.config.ServerConfig;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The shortest path through the server: connect, write, read, with the official client. */
class ServerSmokeTest {
    @TempDir
    Path dir;

    @Test
    void createAndReadBackWithTheJavaClient() throws Exception {
        ServerConfig cfg = ServerConfig.builder().clientPort(0).tickTime(200).dataDir(dir).build();
        try (EnsembleServer server = new EnsembleServer(cfg)) {
            server.start();
            CountDownLatch connected = new CountDownLatch(1);
            ZooKeeper zk = new ZooKeeper("127.0.0.1:" + server.clientPort(), 4000, e -> {
                if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                    connected.countDown();
                }
            });
            try {
                assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
                Stat stat = new Stat();
                String path = zk.create("/a", "hello".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT, stat);
                assertThat(path).isEqualTo("/a");
                assertThat(stat.getCzxid()).isEqualTo(2);
                assertThat(new String(zk.getData("/a", false, null))).isEqualTo("hello");
                assertThat(zk.getChildren("/", false)).containsExactlyInAnyOrder("a", "zookeeper");
            } finally {
                zk.close();
            }
        }
    }
}
