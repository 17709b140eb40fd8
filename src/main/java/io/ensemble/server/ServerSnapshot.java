package io.ensemble.server;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** A consistent picture of the server for reports, taken on the processor thread. */
record ServerSnapshot(String mode, int clientPort, long lastZxid, int nodeCount, int watchCount, int watchedPaths,
                      int watchingConnections, int ephemeralCount, long approximateDataSize, int sessionCount,
                      Map<Long, Set<String>> ephemerals, List<ClientConnection> connections, ServerStats stats) {
}
