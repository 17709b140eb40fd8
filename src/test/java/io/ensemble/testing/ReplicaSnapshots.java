package io.ensemble.testing;

import io.ensemble.checker.TreeSnapshot;
import org.apache.zookeeper.ZooKeeper;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/** The final state the checker needs: one {@link TreeSnapshot} per server, each read from that server alone. */
public final class ReplicaSnapshots {
    private ReplicaSnapshots() {
    }

    /**
     * Once writes have stopped and every server runs again: waits until all of them serve at the same zxid, then
     * snapshots each ("server1", "server2", ...). Equal zxids are not asserted here: the checker compares the trees.
     */
    public static Map<String, TreeSnapshot> take(EnsembleCluster cluster, Duration atMost) throws Exception {
        cluster.awaitServing(atMost);
        await("every server at the same zxid").atMost(atMost).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.ids().stream().map(id -> cluster.server(id).zxid()).distinct().count() == 1);
        Map<String, TreeSnapshot> out = new LinkedHashMap<>();
        for (int id : cluster.ids()) {
            try (ZooKeeper zk = Clients.connect(cluster.connectString(id), 30_000)) {
                out.put("server" + id, TreeSnapshot.take(zk));
            }
        }
        return out;
    }
}
