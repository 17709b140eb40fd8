package io.ensemble.server;

import io.ensemble.config.PeerSpec;
import io.ensemble.config.QuorumConfig;
import io.ensemble.config.ServerConfig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The quorum parts of the reports, with the field names of ZooKeeper's mntr and AdminServer commands (leader,
 * voting_view, zabstate, observers). Built from the {@link QuorumFacts} of a {@link ServerSnapshot} and the static
 * server list; a standalone server gets ZooKeeper's standalone answers.
 */
public final class QuorumReports {
    private QuorumReports() {
    }

    /**
     * mntr's quorum keys: quorum_size everywhere; in an ensemble peer_state and the election_time summary as
     * ZooKeeper prints a summary (avg_/min_/max_/cnt_/sum_ prefixes); on the leader its learner counts.
     */
    static void monitor(Map<String, Object> m, QuorumFacts q) {
        m.put("quorum_size", q.voters());
        if (!q.replicated()) {
            return;
        }
        m.put("peer_state", q.peerState());
        ElectionTimes e = q.elections();
        m.put("avg_election_time", e.avgMillis());
        m.put("min_election_time", e.minMillis());
        m.put("max_election_time", e.maxMillis());
        m.put("cnt_election_time", e.count());
        m.put("sum_election_time", e.sumMillis());
        if (q.leading()) {
            m.put("learners", q.learners());
            m.put("synced_followers", q.syncedFollowers());
            // Membership is static (no reconfig), so every follower votes.
            m.put("synced_non_voting_followers", 0);
            m.put("synced_observers", q.syncedObservers().size());
            m.put("pending_syncs", q.pendingSyncs());
        }
    }

    /** leader / lead: whether this server leads, the leader's id and host ("" while there is none). */
    public static Map<String, Object> leader(QuorumFacts q, ServerConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("is_leader", q.leading());
        m.put("leader_id", q.leaderId());
        m.put("leader_ip", peer(c, q.leaderId()).map(PeerSpec::host).orElse(""));
        return m;
    }

    /**
     * voting_view: server id → ZooKeeper's server string {@code host:quorumPort:electionPort:participant;
     * clientHost:clientPort} for every voter. The client part is the server line's; for this server, whose own line
     * may not name it, the bound client port.
     */
    public static Map<String, Object> votingView(ServerConfig c, int boundClientPort) {
        Map<String, Object> view = new LinkedHashMap<>();
        QuorumConfig quorum = c.quorum();
        if (quorum != null) {
            quorum.voters().stream().sorted(Comparator.comparingLong(PeerSpec::id))
                    .forEach(p -> view.put(String.valueOf(p.id()), serverString(p, c, boundClientPort)));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("current_config", view);
        return m;
    }

    /** zabstate: this server's addresses, whether it votes, its last zxid and its ZAB phase. */
    public static Map<String, Object> zabState(QuorumFacts q, ServerConfig c, long lastZxid, int boundClientPort) {
        PeerSpec self = c.quorum() == null ? null : c.quorum().self();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("myid", c.serverId());
        m.put("is_leader", q.leading());
        m.put("quorum_address", self == null ? null : hostPort(self.host(), self.quorumPort()));
        m.put("election_address", self == null ? null : hostPort(self.host(), self.electionPort()));
        m.put("client_address", hostPort(clientHost(c), boundClientPort));
        m.put("voting_member", self != null && !self.observer());
        m.put("last_zxid", "0x" + Long.toHexString(lastZxid));
        m.put("zab_epoch", lastZxid >>> 32);
        m.put("zab_state", q.zabState());
        return m;
    }

    /** observers / obsr: on the leader, the observers in sync with it; elsewhere none. */
    public static Map<String, Object> observers(QuorumFacts q, ServerConfig c) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (long sid : q.syncedObservers()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("sid", sid);
            o.put("quorum_address", peer(c, sid).map(p -> hostPort(p.host(), p.quorumPort())).orElse(null));
            list.add(o);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("synced_observers", list.size());
        m.put("observers", list);
        return m;
    }

    private static String serverString(PeerSpec p, ServerConfig c, int boundClientPort) {
        String line = hostPort(p.host(), p.quorumPort()) + ":" + p.electionPort() + ":"
                + (p.observer() ? "observer" : "participant");
        if (p.clientPort() != 0) {
            return line + ";" + hostPort(p.clientHost() == null ? "0.0.0.0" : p.clientHost(), p.clientPort());
        }
        return p.id() == c.quorum().myId() ? line + ";" + hostPort(clientHost(c), boundClientPort) : line;
    }

    private static Optional<PeerSpec> peer(ServerConfig c, long id) {
        return c.quorum() == null ? Optional.empty() : c.quorum().peer(id);
    }

    private static String clientHost(ServerConfig c) {
        return c.clientPortAddress() == null ? "0.0.0.0" : c.clientPortAddress();
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
