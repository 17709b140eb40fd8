package io.ensemble.config;

import io.ensemble.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** server.N lines, myid resolution and the StatefulSet-generated server list. */
class QuorumConfigTest {
    @TempDir
    Path dir;

    private ServerConfig load(Map<String, String> values) {
        Map<String, String> all = new java.util.HashMap<>(values);
        all.putIfAbsent("dataDir", dir.toString());
        return ServerConfigLoader.load(MapSource.config(all));
    }

    @Test
    void parsesEveryFormOfAServerLine() {
        assertThat(PeerSpec.parse(1, "zk1:2888:3888")).isEqualTo(new PeerSpec(1, "zk1", 2888, 3888, false, null, 0));
        assertThat(PeerSpec.parse(2, "zk2:2888:3888:observer;2181"))
                .isEqualTo(new PeerSpec(2, "zk2", 2888, 3888, true, null, 2181));
        assertThat(PeerSpec.parse(3, "[::1]:2888:3888:participant;127.0.0.1:2181"))
                .isEqualTo(new PeerSpec(3, "::1", 2888, 3888, false, "127.0.0.1", 2181));
        assertThat(PeerSpec.parse(3, "[::1]:2888:3888:participant;127.0.0.1:2181").toLine())
                .isEqualTo("[::1]:2888:3888:participant;127.0.0.1:2181");
    }

    @Test
    void badServerLinesNameTheKeyAndWhatIsExpected() {
        assertThatThrownBy(() -> load(Map.of("server.1", "zk1:2888", "myid", "1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.1='zk1:2888'").hasMessageContaining("host:quorumPort:electionPort");
        assertThatThrownBy(() -> load(Map.of("server.1", "zk1:2888:3888:leader", "myid", "1")))
                .hasMessageContaining("participant or observer");
        assertThatThrownBy(() -> load(Map.of("server.1", "zk1:2888:2888", "myid", "1")))
                .hasMessageContaining("must differ");
    }

    @Test
    void myIdFromTheMyIdFile() throws Exception {
        Files.writeString(dir.resolve("myid"), "2\n");
        ServerConfig c = load(Map.of("server.1", "a:2888:3888", "server.2", "b:2888:3888", "server.3", "c:2888:3888"));
        assertThat(c.serverId()).isEqualTo(2);
        assertThat(c.quorum().self().host()).isEqualTo("b");
        assertThat(c.quorum().quorumSize()).isEqualTo(2);
        assertThat(c.quorum().initLimit()).isEqualTo(10);
        assertThat(c.quorum().syncLimit()).isEqualTo(5);
    }

    @Test
    void quorumPortsListenOnAllAddressesUnlessQuorumListenOnAllIPsIsFalse() {
        Map<String, String> servers = Map.of("server.1", "127.0.0.1:2888:3888", "server.2", "127.0.0.2:2888:3888",
                "server.3", "127.0.0.3:2888:3888", "myid", "2");
        QuorumConfig all = load(servers).quorum();
        assertThat(all.listenOnAllIPs()).isTrue();
        assertThat(all.listenAddress(3888).getAddress().isAnyLocalAddress()).isTrue();

        Map<String, String> own = new java.util.HashMap<>(servers);
        own.put("quorumListenOnAllIPs", "false");
        QuorumConfig mine = load(own).quorum();
        assertThat(mine.listenAddress(2888).getAddress().getHostAddress()).isEqualTo("127.0.0.2");
        assertThat(mine.listenAddress(2888).getPort()).isEqualTo(2888);

        own.put("quorumListenOnAllIPs", "sometimes");
        assertThatThrownBy(() -> load(own)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("quorumListenOnAllIPs='sometimes'").hasMessageContaining("true or false");
    }

    @Test
    void aMyIdOutsideTheListIsOneClearLine() {
        assertThatThrownBy(() -> load(Map.of("server.1", "a:2888:3888", "myid", "7")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("myid 7 is not in the server list");
    }

    @Test
    void twoServersOnOneHostAndPortIsOneClearLine() {
        assertThatThrownBy(() -> load(Map.of("server.1", "a:2888:3888", "server.2", "a:2888:3889", "myid", "1")))
                .hasMessageContaining("server.1 and server.2 both use a:2888");
    }

    @Test
    void anEvenNumberOfVotersIsAWarning() {
        try (LogCapture log = LogCapture.of(QuorumConfigLoader.class)) {
            load(Map.of("server.1", "a:2888:3888", "server.2", "b:2888:3888", "server.3", "c:2888:3888",
                    "server.4", "d:2888:3888", "myid", "1"));
            assertThat(log.records()).extracting(LogRecord::getMessage).singleElement().asString()
                    .contains("even number of voters (4)").contains("use an odd number");
        }
        try (LogCapture log = LogCapture.of(QuorumConfigLoader.class)) {
            load(Map.of("server.1", "a:2888:3888", "server.2", "b:2888:3888", "server.3", "c:2888:3888",
                    "server.4", "d:2888:3888:observer", "myid", "1"));
            assertThat(log.records()).isEmpty();
        }
    }

    @Test
    void observersDoNotVote() {
        ServerConfig c = load(Map.of("server.1", "a:2888:3888", "server.2", "b:2888:3888",
                "server.3", "c:2888:3888", "server.4", "d:2888:3888:observer", "myid", "4"));
        assertThat(c.quorum().voters()).hasSize(3);
        assertThat(c.quorum().quorumSize()).isEqualTo(2);
        assertThat(c.quorum().self().observer()).isTrue();
    }

    @Test
    void aStatefulSetReplicaCountGeneratesTheServerList() {
        ServerConfig c = load(Map.of("k8s.replicas", "3", "k8s.serviceName", "ensemble-hs",
                "k8s.statefulSetName", "ensemble", "k8s.namespace", "prod", "myid", "2", "clientPort", "2181"));
        assertThat(c.quorum().peers()).extracting(PeerSpec::host).containsExactly(
                "ensemble-0.ensemble-hs.prod.svc.cluster.local", "ensemble-1.ensemble-hs.prod.svc.cluster.local",
                "ensemble-2.ensemble-hs.prod.svc.cluster.local");
        assertThat(c.quorum().self().clientPort()).isEqualTo(2181);
        assertThat(c.effective()).containsEntry("server.3",
                "ensemble-2.ensemble-hs.prod.svc.cluster.local:2888:3888:participant;2181");
    }

    @Test
    void theStatefulSetOrdinalGivesTheIdWhenNothingElseDoes() {
        assertThat(Hostnames.ordinal("zk-0")).contains(0);
        assertThat(Hostnames.ordinal("ensemble-12")).contains(12);
        assertThat(Hostnames.ordinal("localhost")).isEmpty();
    }

    @Test
    void standaloneHasNoQuorumAndNoQuorumKeys() {
        ServerConfig c = load(Map.of());
        assertThat(c.quorum()).isNull();
        assertThat(c.serverId()).isZero();
        assertThat(c.effective()).doesNotContainKeys("initLimit", "syncLimit");
    }
}
