package io.ensemble.testing;

import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Official Java clients for tests, returned only once they are connected. */
public final class Clients {
    private Clients() {
    }

    public static ZooKeeper connect(int port, int sessionTimeoutMs) throws IOException, InterruptedException {
        return connect("127.0.0.1:" + port, sessionTimeoutMs);
    }

    /** A client of the servers in {@code connectString} (host:port,host:port,...), once it has a session. */
    public static ZooKeeper connect(String connectString, int sessionTimeoutMs)
            throws IOException, InterruptedException {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString, sessionTimeoutMs, e -> {
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
}
