package io.ensemble.checker;

import io.ensemble.testing.Clients;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The recording client against a real 3-server ensemble (in this JVM, one client per server): what it records, the
 * replica digests, and a clean check of the whole history, as a fault test would do it (without the faults).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecordingZooKeeperTest {
    private static final int SESSION_TIMEOUT = 4_000;

    @TempDir
    Path dataDir;

    private InJvmEnsemble ensemble;
    private final List<ZooKeeper> zks = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        for (ZooKeeper zk : zks) {
            zk.close();
        }
        if (ensemble != null) {
            ensemble.close();
        }
    }

    private ZooKeeper connect(int server) throws Exception {
        ZooKeeper zk = Clients.connect(ensemble.connectString(server), SESSION_TIMEOUT);
        zks.add(zk);
        return zk;
    }

    @Test
    void recordsRepliesWithZxidsAndTheCheckerAcceptsARealEnsemble() throws Exception {
        ensemble = InJvmEnsemble.start(dataDir, 3);
        HistoryRecorder recorder = new HistoryRecorder();
        List<RecordingZooKeeper> clients = new ArrayList<>();
        for (int i = 0; i < ensemble.size(); i++) {
            clients.add(new RecordingZooKeeper(connect(i), recorder, i));
        }
        RecordingZooKeeper first = clients.get(0);

        Operation create = first.create("/r", "init");
        first.create("/q", "");
        Operation write = clients.get(1).setData("/r", "w1", -1);
        Operation cas = clients.get(2).setData("/r", "c1", 1);
        Operation badCas = clients.get(2).setData("/r", "c2", 1);
        Operation read = clients.get(2).getData("/r");
        Operation sequential = clients.get(1).createSequential("/q/item-", "s");
        Operation missing = first.getData("/missing");

        assertThat(create.kind()).isEqualTo(OpKind.CREATE);
        assertThat(create.result()).isInstanceOfSatisfying(Result.Ok.class,
                ok -> assertThat(ok.zxid()).isPositive());
        assertThat(write.kind()).isEqualTo(OpKind.WRITE);
        assertThat(cas.kind()).isEqualTo(OpKind.CAS);
        assertThat(cas.result()).isInstanceOfSatisfying(Result.Ok.class, ok -> {
            assertThat(ok.version()).isEqualTo(2);
            assertThat(ok.zxid()).isGreaterThan(write.zxid());
        });
        assertThat(badCas.result()).isEqualTo(new Result.Fail(Code.BADVERSION));
        assertThat(read.result()).isEqualTo(new Result.Ok("/r", "c1", 2, cas.zxid()));
        assertThat(sequential.register()).startsWith("/q/item-").hasSize("/q/item-".length() + 10);
        assertThat(missing.result()).isEqualTo(new Result.Fail(Code.NONODE));
        assertThat(create.session()).isEqualTo(zks.get(0).getSessionId());

        // pipelined requests from one client: replies must come back in order
        List<CompletableFuture<Operation>> pipelined = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pipelined.add(clients.get(i % 3).setDataAsync("/r", "p" + i, -1));
            pipelined.add(clients.get(i % 3).getDataAsync("/r"));
            pipelined.add(clients.get(i % 3).createSequentialAsync("/q/item-", "p" + i));
        }
        CompletableFuture.allOf(pipelined.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        clients.get(1).delete(sequential.register(), 0);

        Map<String, TreeSnapshot> replicas = new LinkedHashMap<>();
        for (int i = 0; i < ensemble.size(); i++) {
            replicas.put("server" + (i + 1), TreeSnapshot.take(zks.get(i)));
        }
        assertThat(replicas.values()).extracting(TreeSnapshot::digest).containsOnly(replicas.get("server1").digest());
        assertThat(replicas.get("server1").node("/r")).get()
                .satisfies(n -> assertThat(n.version()).isEqualTo(52));

        History history = recorder.history();
        Report report = Checker.check(history, replicas);
        System.out.println("real ensemble: " + report);
        assertThat(report.ok()).as(report::toString).isTrue();
        assertThat(history.size()).isEqualTo(159);
    }
}
