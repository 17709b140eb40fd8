package io.ensemble.quorum.zab;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Leader election for the simulation, reduced to its outcome: the election package has its own tests, and what
 * Zab relies on is only that the winner is the best of some quorum by (currentEpoch, last zxid, id).
 */
final class SimElection {

    private SimElection() {
    }

    /**
     * One round of leader election as FastLeaderElection would settle it: a looking server joins a leader it can
     * reach; otherwise a quorum of looking voters that can reach each other elects the best of them by
     * (currentEpoch, last zxid, id). {@code random} picks which quorum, or null for all of them.
     */
    static void round(SimCluster c, Random random) {
        for (SimServer s : c.servers()) {
            if (!s.looking()) {
                continue;
            }
            c.servers().stream().filter(l -> l.up && l.leader != null && c.reachable(s.id, l.id)).findFirst()
                    .ifPresent(l -> c.follow(s.id, l.id));
        }
        Map<Integer, List<SimServer>> lookingVoters = new TreeMap<>();
        for (SimServer s : c.servers()) {
            if (s.looking() && c.settings(s.id).voters().contains(s.id)) {
                lookingVoters.computeIfAbsent(c.group(s.id), g -> new ArrayList<>()).add(s);
            }
        }
        int quorum = c.settings(c.servers().getFirst().id).quorumSize();
        for (List<SimServer> candidates : lookingVoters.values()) {
            if (candidates.size() < quorum) {
                continue;
            }
            List<SimServer> q = new ArrayList<>(candidates);
            if (random != null) {
                Collections.shuffle(q, random);
                q = q.subList(0, quorum + random.nextInt(candidates.size() - quorum + 1));
            }
            SimServer winner = q.stream().max(Comparator.comparingLong((SimServer x) -> x.currentEpoch)
                    .thenComparingLong(SimServer::lastZxid).thenComparingLong(x -> x.id)).orElseThrow();
            c.lead(winner.id);
            q.stream().filter(x -> x != winner).forEach(x -> c.follow(x.id, winner.id));
        }
    }

}
