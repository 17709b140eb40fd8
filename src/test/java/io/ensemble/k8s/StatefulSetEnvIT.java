package io.ensemble.k8s;

import io.ensemble.testing.AdminHttp;
import io.ensemble.testing.Clients;
import io.ensemble.testing.ServerJvm;
import io.ensemble.testing.ServerProcess;
import jakarta.json.JsonObject;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three server JVMs started the way k8s/statefulset.yaml starts its pods: no zoo.cfg and no myid, only env vars
 * ({@code MP_CONFIG_PROFILE=k8s}, {@code K8S_REPLICAS}, {@code K8S_SERVICENAME}, {@code K8S_NAMESPACE}, ports, data
 * directories) and the host name the kubelet gives a pod ({@code HOSTNAME=zk-<ordinal>}). Each works out its id
 * and the server list by itself; together they elect a leader and serve.
 *
 * <p>A pod network on loopback: pod i owns 127.0.0.(i+1) and uses the same port numbers as every other pod, and the
 * headless service's names ({@code zk-<i>.zk-hs.it.svc.cluster.local}) resolve through a hosts file handed to the
 * JDK's resolver ({@code -Djdk.net.hosts.file}), standing in for cluster DNS. The one setting a real pod does not
 * need: pods sharing one host must bind their quorum and election ports on their own address only, hence
 * {@code QUORUMLISTENONALLIPS=false}.
 */
class StatefulSetEnvIT {
    private static final Duration START = Duration.ofSeconds(90);
    private static final String STATEFUL_SET = "zk";
    private static final String SERVICE = "zk-hs";
    private static final String NAMESPACE = "it";
    private static final int REPLICAS = 3;

    private final List<ServerProcess> pods = new ArrayList<>();

    @RegisterExtension
    final TestWatcher consolesOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            for (int i = 0; i < pods.size(); i++) {
                System.out.println("--- pod " + pod(i) + " ---\n" + pods.get(i).tail(80));
            }
        }
    };

    @AfterEach
    void stop() {
        pods.forEach(ServerProcess::close);
    }

    @Test
    void threePodsConfiguredByEnvVarsAloneFormAQuorumAndServe(@TempDir Path dir) throws Exception {
        Path jar = ServerJvm.locateJar(StatefulSetEnvIT.class);
        assertThat(jar).as("ensemble.jar (run mvn package)").isNotNull();
        List<Integer> ports = freePortsOnEveryPod(4);
        int clientPort = ports.get(0);
        int quorumPort = ports.get(1);
        int electionPort = ports.get(2);
        int httpPort = ports.get(3);
        Path hosts = writeHostsFile(dir);

        for (int i = 0; i < REPLICAS; i++) {
            Map<String, String> env = new HashMap<>();
            env.put("HOSTNAME", pod(i));
            env.put("MP_CONFIG_PROFILE", "k8s");
            env.put("K8S_REPLICAS", String.valueOf(REPLICAS));
            env.put("K8S_SERVICENAME", SERVICE);
            env.put("K8S_NAMESPACE", NAMESPACE);
            env.put("CLIENTPORT", String.valueOf(clientPort));
            env.put("QUORUMPORT", String.valueOf(quorumPort));
            env.put("ELECTIONPORT", String.valueOf(electionPort));
            env.put("ADMIN_SERVERPORT", String.valueOf(httpPort));
            env.put("DATADIR", dir.resolve(pod(i)).resolve("data").toString());
            env.put("DATALOGDIR", dir.resolve(pod(i)).resolve("datalog").toString());
            env.put("TICKTIME", "500");
            // Only because the pods share one host (see the class comment).
            env.put("CLIENTPORTADDRESS", address(i));
            env.put("ADMIN_SERVERADDRESS", address(i));
            env.put("QUORUMLISTENONALLIPS", "false");
            pods.add(ServerProcess.fromEnv(jar, env, dir.resolve(pod(i) + ".out"), address(i), clientPort,
                    List.of("-Xmx256m", "-Djdk.net.hosts.file=" + hosts)));
        }
        for (ServerProcess p : pods) {
            p.start();
        }
        pods.forEach(ServerProcess::awaitServing);

        for (int i = 0; i < REPLICAS; i++) {
            ServerProcess p = pods.get(i);
            assertThat(p.lastLineContaining("serverId=")).as("pod %s's id", pod(i))
                    .contains("serverId=" + (i + 1) + " (host name " + pod(i) + " (StatefulSet ordinal " + i + " + 1))");
            for (int n = 0; n < REPLICAS; n++) {
                assertThat(p.lastLineContaining("server." + (n + 1) + "=")).as("pod %s's server.%d", pod(i), n + 1)
                        .contains("server." + (n + 1) + "=" + dnsName(n) + ":" + quorumPort + ":" + electionPort
                                + ":participant;" + clientPort + " (generated from k8s.replicas)");
            }
        }
        await("one leader and two followers").atMost(START).pollInterval(Duration.ofMillis(100))
                .until(() -> modes().stream().sorted().toList().equals(List.of("follower", "follower", "leader")));
        for (int i = 0; i < REPLICAS; i++) {
            int pod = i;
            await("pod " + pod(i) + " ready").atMost(START)
                    .until(() -> AdminHttp.get(address(pod), httpPort, "/health/ready").status() == 200);
        }
        int leader = modes().indexOf("leader");
        JsonObject view = AdminHttp.get(address(leader), httpPort, "/commands/voting_view").json()
                .getJsonObject("current_config");
        assertThat(view.getString("2")).isEqualTo(dnsName(1) + ":" + quorumPort + ":" + electionPort
                + ":participant;0.0.0.0:" + clientPort);
        assertThat(AdminHttp.get(address(leader), httpPort, "/commands/leader").json().getString("leader_ip"))
                .isEqualTo(dnsName(leader));

        StringJoiner all = new StringJoiner(",");
        pods.forEach(p -> all.add(p.connectString()));
        try (ZooKeeper zk = Clients.connect(all.toString(), 30_000)) {
            zk.create("/from-env", "pods".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT);
        }
        for (ServerProcess p : pods) {
            try (ZooKeeper zk = Clients.connect(p.connectString(), 30_000)) {
                await("/from-env on " + p.connectString()).atMost(Duration.ofSeconds(10))
                        .until(() -> zk.exists("/from-env", false) != null);
                assertThat(new String(zk.getData("/from-env", false, null), StandardCharsets.UTF_8))
                        .isEqualTo("pods");
            }
        }
    }

    private List<String> modes() {
        return pods.stream().map(p -> p.srvr("Mode")).toList();
    }

    private static String pod(int ordinal) {
        return STATEFUL_SET + "-" + ordinal;
    }

    private static String address(int ordinal) {
        return "127.0.0." + (ordinal + 1);
    }

    /** The name the headless service gives the pod, as the server generates it. */
    private static String dnsName(int ordinal) {
        return pod(ordinal) + "." + SERVICE + "." + NAMESPACE + ".svc.cluster.local";
    }

    /** Cluster DNS for the JDK's resolver; it then resolves nothing else, so localhost and this machine too. */
    private static Path writeHostsFile(Path dir) throws IOException {
        StringBuilder b = new StringBuilder("127.0.0.1 localhost\n");
        try {
            b.append("127.0.0.1 ").append(InetAddress.getLocalHost().getHostName()).append('\n');
        } catch (IOException e) {
            // the machine's name does not resolve here either; nothing to copy
        }
        for (int i = 0; i < REPLICAS; i++) {
            b.append(address(i)).append(' ').append(dnsName(i)).append('\n');
        }
        Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, b.toString());
        return hosts;
    }

    /** Distinct ports free on every pod's address. */
    private static List<Integer> freePortsOnEveryPod(int count) throws IOException {
        Set<Integer> ports = new LinkedHashSet<>();
        for (int attempt = 0; ports.size() < count && attempt < 100; attempt++) {
            int port = ServerJvm.freePort();
            if (freeOnEveryPod(port)) {
                ports.add(port);
            }
        }
        assertThat(ports).as("free ports on 127.0.0.1-%d", REPLICAS).hasSize(count);
        return List.copyOf(ports);
    }

    private static boolean freeOnEveryPod(int port) {
        for (int i = 0; i < REPLICAS; i++) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(address(i), port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
