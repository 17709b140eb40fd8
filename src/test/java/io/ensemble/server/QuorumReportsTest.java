package io.ensemble.server;

import io.ensemble.config.PeerSpec;
import io.ensemble.config.QuorumConfig;
import io.ensemble.config.ServerConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The quorum parts of mntr and of the leader, voting_view, zabstate and observers commands, from plain facts. */
class QuorumReportsTest {
    /** Server 2 of three voters and an observer; its own line names no client port, server 1's names one. */
    private static final ServerConfig CONFIG = ServerConfig.builder()
            .dataDir(Path.of("unused"))
            .clientPortAddress("127.0.0.2")
            .serverId(2)
            .quorum(new QuorumConfig(2, List.of(
                    new PeerSpec(1, "zk-0.hs", 2888, 3888, false, null, 2181),
                    new PeerSpec(2, "zk-1.hs", 2888, 3888, false, null, 0),
                    new PeerSpec(3, "zk-2.hs", 2888, 3888, false, "10.0.0.3", 2181),
                    new PeerSpec(4, "obs.hs", 2888, 3888, true, null, 2181)), 10, 5))
            .build();

    private static final ElectionTimes TWO_ELECTIONS = ElectionTimes.NONE.plus(120).plus(40);

    private static QuorumFacts leader() {
        return new QuorumFacts("leader", 2, "BROADCAST", 3, 3, 2, List.of(4L), 1, TWO_ELECTIONS);
    }

    @Test
    void electionTimesAreASummary() {
        assertThat(TWO_ELECTIONS).isEqualTo(new ElectionTimes(2, 160, 40, 120, 40));
        assertThat(TWO_ELECTIONS.avgMillis()).isEqualTo(80.0);
        assertThat(ElectionTimes.NONE.avgMillis()).isZero();
    }

    @Test
    void mntrOnTheLeaderHasTheLearnerCountsAndTheElectionSummary() {
        Map<String, Object> m = new LinkedHashMap<>();
        QuorumReports.monitor(m, leader());
        assertThat(m).containsEntry("quorum_size", 3).containsEntry("peer_state", "leading - broadcast")
                .containsEntry("learners", 3).containsEntry("synced_followers", 2)
                .containsEntry("synced_non_voting_followers", 0).containsEntry("synced_observers", 1)
                .containsEntry("pending_syncs", 1)
                .containsEntry("avg_election_time", 80.0).containsEntry("min_election_time", 40L)
                .containsEntry("max_election_time", 120L).containsEntry("cnt_election_time", 2L)
                .containsEntry("sum_election_time", 160L);
    }

    @Test
    void mntrOnAFollowerLeavesTheLeaderKeysOutAndStandaloneHasOnlyQuorumSize() {
        Map<String, Object> follower = new LinkedHashMap<>();
        QuorumReports.monitor(follower, new QuorumFacts("follower", 1, "BROADCAST", 3, 0, 0, List.of(), 0,
                TWO_ELECTIONS));
        assertThat(follower).containsEntry("quorum_size", 3).containsEntry("peer_state", "following - broadcast")
                .containsEntry("cnt_election_time", 2L)
                .doesNotContainKeys("learners", "synced_followers", "synced_observers", "pending_syncs");

        Map<String, Object> standalone = new LinkedHashMap<>();
        QuorumReports.monitor(standalone, QuorumFacts.standalone());
        assertThat(standalone).containsOnlyKeys("quorum_size").containsEntry("quorum_size", 1);
    }

    @Test
    void leaderNamesTheLeadersHost() {
        assertThat(QuorumReports.leader(leader(), CONFIG)).containsExactly(Map.entry("is_leader", true),
                Map.entry("leader_id", 2L), Map.entry("leader_ip", "zk-1.hs"));
        QuorumFacts looking = new QuorumFacts("looking", -1, "ELECTION", 3, 0, 0, List.of(), 0, TWO_ELECTIONS);
        assertThat(QuorumReports.leader(looking, CONFIG)).containsEntry("is_leader", false)
                .containsEntry("leader_id", -1L).containsEntry("leader_ip", "");
    }

    @Test
    void votingViewListsTheVotersAsZooKeeperServerStrings() {
        @SuppressWarnings("unchecked")
        Map<String, Object> view = (Map<String, Object>) QuorumReports.votingView(CONFIG, 12181).get("current_config");
        assertThat(view).containsExactly(
                Map.entry("1", "zk-0.hs:2888:3888:participant;0.0.0.0:2181"),
                Map.entry("2", "zk-1.hs:2888:3888:participant;127.0.0.2:12181"),
                Map.entry("3", "zk-2.hs:2888:3888:participant;10.0.0.3:2181"));
        assertThat((Map<?, ?>) QuorumReports.votingView(ServerConfig.builder().build(), 2181).get("current_config"))
                .isEmpty();
    }

    @Test
    void zabStateAndObservers() {
        QuorumFacts syncing = new QuorumFacts("follower", 1, "SYNCHRONIZATION", 3, 0, 0, List.of(), 0,
                TWO_ELECTIONS);
        assertThat(QuorumReports.zabState(syncing, CONFIG, 0x3_0000_0007L, 12181)).containsExactly(
                Map.entry("myid", 2L), Map.entry("is_leader", false),
                Map.entry("quorum_address", "zk-1.hs:2888"), Map.entry("election_address", "zk-1.hs:3888"),
                Map.entry("client_address", "127.0.0.2:12181"), Map.entry("voting_member", true),
                Map.entry("last_zxid", "0x300000007"), Map.entry("zab_epoch", 3L),
                Map.entry("zab_state", "SYNCHRONIZATION"));

        Map<String, Object> observers = QuorumReports.observers(leader(), CONFIG);
        assertThat(observers).containsEntry("synced_observers", 1);
        assertThat(observers.get("observers")).isEqualTo(List.of(Map.of("sid", 4L,
                "quorum_address", "obs.hs:2888")));
        assertThat(QuorumReports.observers(syncing, CONFIG)).containsEntry("synced_observers", 0)
                .containsEntry("observers", List.of());
    }
}
