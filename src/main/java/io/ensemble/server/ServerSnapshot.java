package io.ensemble.server;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A consistent picture of the server for reports (four-letter words, admin commands), taken on the processor
 * thread. Every collection is a copy the caller may keep.
 *
 * @param mode                the role: standalone (leader, follower, observer once quorum lands)
 * @param clientPort          the bound client port
 * @param lastZxid            the last zxid applied to the tree
 * @param watchedPaths        distinct paths with at least one watch
 * @param watchingConnections connections holding at least one watch
 * @param ephemerals          session id to the paths of its ephemeral nodes
 * @param sessionExpiries     session id to the time (ms since the epoch) its expiry bucket ends
 * @param watchesBySession    session id to the paths it watches (data and child watches together)
 * @param connections         one entry per open client connection
 * @param stats               the live server-wide counters (srst resets them)
 */
public record ServerSnapshot(String mode, int clientPort, long lastZxid, int nodeCount, int watchCount,
                             int watchedPaths, int watchingConnections, int ephemeralCount, long approximateDataSize,
                             int sessionCount, Map<Long, Set<String>> ephemerals, Map<Long, Long> sessionExpiries,
                             Map<Long, Set<String>> watchesBySession, List<ConnectionInfo> connections,
                             ServerStats stats) {
}
