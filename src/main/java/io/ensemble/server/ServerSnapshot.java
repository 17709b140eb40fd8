package io.ensemble.server;

import io.ensemble.session.Session;
import io.ensemble.session.SessionTracker;
import io.ensemble.tree.DataTree;
import io.ensemble.tree.Watcher;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A consistent picture of the server for reports (four-letter words, admin commands), taken on the processor
 * thread. Every collection is a copy the caller may keep.
 *
 * @param mode                the role: standalone, leader, follower or observer
 * @param clientPort          the bound client port
 * @param lastZxid            the last zxid applied to the tree
 * @param watchedPaths        distinct paths with at least one watch
 * @param watchingConnections connections holding at least one watch
 * @param ephemerals          session id to the paths of its ephemeral nodes
 * @param sessionExpiries     session id to the time (ms since the epoch) its expiry bucket ends
 * @param watchesBySession    session id to the paths it watches (data and child watches together)
 * @param connections         one entry per open client connection
 * @param stats               the live server-wide counters (srst resets them)
 * @param quorum              the ensemble as this server sees it (standalone: {@link QuorumFacts#standalone()})
 */
public record ServerSnapshot(String mode, int clientPort, long lastZxid, int nodeCount, int watchCount,
                             int watchedPaths, int watchingConnections, int ephemeralCount, long approximateDataSize,
                             int sessionCount, Map<Long, Set<String>> ephemerals, Map<Long, Long> sessionExpiries,
                             Map<Long, Set<String>> watchesBySession, List<ConnectionInfo> connections,
                             ServerStats stats, QuorumFacts quorum) {

    /** Builds the picture; must run on the processor thread, the only writer of the tree and its watch tables. */
    static ServerSnapshot take(String mode, int clientPort, long lastZxid, DataTree tree, SessionTracker sessions,
                               Collection<ClientConnection> connections, ServerStats stats, QuorumFacts quorum) {
        Map<Watcher, Set<String>> byWatcher = new HashMap<>(tree.dataWatches().pathsByWatcher());
        tree.childWatches().pathsByWatcher().forEach((w, p) -> byWatcher.merge(w, p, ServerSnapshot::union));
        Set<String> paths = new HashSet<>();
        Map<Long, Set<String>> bySession = new HashMap<>();
        byWatcher.forEach((w, p) -> {
            paths.addAll(p);
            if (w instanceof ClientConnection c && c.session() != null) {
                bySession.merge(c.session().id(), p, ServerSnapshot::union);
            }
        });
        Map<Long, Long> expiries = new HashMap<>();
        for (Session s : sessions.all()) {
            expiries.put(s.id(), s.expiresAt());
        }
        List<ConnectionInfo> conns = connections.stream().map(ConnectionInfo::of).toList();
        return new ServerSnapshot(mode, clientPort, lastZxid, tree.nodeCount(), tree.watchCount(), paths.size(),
                byWatcher.size(), tree.ephemeralCount(), tree.approximateDataSize(), sessions.count(),
                tree.allEphemerals(), expiries, bySession, conns, stats, quorum);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }
}
