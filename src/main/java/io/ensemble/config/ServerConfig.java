package io.ensemble.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The typed, validated configuration of one server. Built from MicroProfile Config by {@link ServerConfigLoader};
 * tests build it directly with {@link #builder()}.
 *
 * @param tickTime                ms per tick; session expiry buckets and the session timeout bounds derive from it
 * @param clientPort              client port; 0 picks a free port (tests)
 * @param clientPortAddress       address to bind the client port to; null binds all addresses
 * @param dataDir                 snapshot directory; also holds myid and the pid file
 * @param dataLogDir              transaction log directory (defaults to dataDir)
 * @param maxClientCnxns          concurrent connections per client IP; 0 means no limit
 * @param minSessionTimeout       lower bound of a negotiated session timeout (default 2 x tickTime)
 * @param maxSessionTimeout       upper bound of a negotiated session timeout (default 20 x tickTime)
 * @param fourLetterWords         whitelisted four-letter words; contains "*" when all are allowed
 * @param juteMaxBuffer           largest accepted frame and record field, in bytes
 * @param extendedTypesEnabled    whether TTL nodes are allowed
 * @param superDigest             digest id ("super:hash") that gets super rights, or null
 * @param globalOutstandingLimit  requests in flight before the server stops reading from connections
 * @param serverId                this server's id (0 in standalone mode); the top byte of session ids
 * @param adminEnableServer       whether the HTTP port (health, metrics, admin commands) is served
 * @param adminServerAddress      address of the HTTP port
 * @param adminServerPort         the HTTP port
 * @param containerCheckIntervalMs how often empty containers and expired TTL nodes are reaped
 * @param containerMaxPerMinute   cap on reaped nodes per minute
 * @param storage                 transaction log, snapshot and autopurge settings
 * @param quorum                  the ensemble, or null for a standalone server
 * @param effective               every effective key with its value, for {@code conf} and the start-up log
 */
public record ServerConfig(int tickTime, int clientPort, String clientPortAddress, Path dataDir, Path dataLogDir,
                           int maxClientCnxns, int minSessionTimeout, int maxSessionTimeout,
                           Set<String> fourLetterWords, int juteMaxBuffer, boolean extendedTypesEnabled,
                           String superDigest, int globalOutstandingLimit, long serverId,
                           boolean adminEnableServer, String adminServerAddress, int adminServerPort,
                           long containerCheckIntervalMs, int containerMaxPerMinute, StorageConfig storage,
                           QuorumConfig quorum, Map<String, String> effective) {

    public static final int DEFAULT_TICK_TIME = 3000;
    public static final int DEFAULT_JUTE_MAX_BUFFER = 0xfffff;

    /** Invariants only; {@link ServerConfigLoader} reports operator mistakes earlier, with the key and its source. */
    public ServerConfig {
        if (tickTime <= 0) {
            throw new IllegalArgumentException("tickTime must be positive: " + tickTime);
        }
        checkPort("clientPort", clientPort);
        checkPort("adminServerPort", adminServerPort);
        if (minSessionTimeout > maxSessionTimeout) {
            throw new IllegalArgumentException("minSessionTimeout " + minSessionTimeout
                    + " > maxSessionTimeout " + maxSessionTimeout);
        }
        if (juteMaxBuffer <= 0) {
            throw new IllegalArgumentException("juteMaxBuffer must be positive: " + juteMaxBuffer);
        }
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(dataLogDir, "dataLogDir");
        fourLetterWords = Set.copyOf(fourLetterWords);
        effective = Map.copyOf(effective);
    }

    private static void checkPort(String name, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " out of range 0-65535: " + port);
        }
    }

    /** Built-in defaults, the same as ZooKeeper's. */
    public static ServerConfig defaults() {
        return builder().build();
    }

    public boolean isFourLetterWordAllowed(String word) {
        return fourLetterWords.contains("*") || fourLetterWords.contains(word);
    }

    /** Whether this server is one of an ensemble (more than one server.N line); one line alone runs standalone. */
    public boolean replicated() {
        return quorum != null && quorum.peers().size() > 1;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a config from the defaults; session timeout bounds follow tickTime unless set. */
    public static final class Builder {
        private int tickTime = DEFAULT_TICK_TIME;
        private int clientPort = 2181;
        private String clientPortAddress;
        private Path dataDir = Path.of("data");
        private Path dataLogDir;
        private int maxClientCnxns = 60;
        private int minSessionTimeout = -1;
        private int maxSessionTimeout = -1;
        private Set<String> fourLetterWords = Set.of("srvr");
        private int juteMaxBuffer = DEFAULT_JUTE_MAX_BUFFER;
        private boolean extendedTypesEnabled;
        private String superDigest;
        private int globalOutstandingLimit = 1000;
        private long serverId;
        private boolean adminEnableServer = true;
        private String adminServerAddress = "0.0.0.0";
        private int adminServerPort = 8080;
        private long containerCheckIntervalMs = 60_000;
        private int containerMaxPerMinute = 10_000;
        private StorageConfig storage = StorageConfig.DEFAULTS;
        private QuorumConfig quorum;
        private Map<String, String> effective = Map.of();

        public Builder tickTime(int v) { tickTime = v; return this; }
        public Builder clientPort(int v) { clientPort = v; return this; }
        public Builder clientPortAddress(String v) { clientPortAddress = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder dataLogDir(Path v) { dataLogDir = v; return this; }
        public Builder maxClientCnxns(int v) { maxClientCnxns = v; return this; }
        public Builder minSessionTimeout(int v) { minSessionTimeout = v; return this; }
        public Builder maxSessionTimeout(int v) { maxSessionTimeout = v; return this; }
        public Builder fourLetterWords(Set<String> v) { fourLetterWords = Set.copyOf(v); return this; }
        public Builder juteMaxBuffer(int v) { juteMaxBuffer = v; return this; }
        public Builder extendedTypesEnabled(boolean v) { extendedTypesEnabled = v; return this; }
        public Builder superDigest(String v) { superDigest = v; return this; }
        public Builder globalOutstandingLimit(int v) { globalOutstandingLimit = v; return this; }
        public Builder serverId(long v) { serverId = v; return this; }
        public Builder adminEnableServer(boolean v) { adminEnableServer = v; return this; }
        public Builder adminServerAddress(String v) { adminServerAddress = v; return this; }
        public Builder adminServerPort(int v) { adminServerPort = v; return this; }
        public Builder containerCheckIntervalMs(long v) { containerCheckIntervalMs = v; return this; }
        public Builder containerMaxPerMinute(int v) { containerMaxPerMinute = v; return this; }
        public Builder storage(StorageConfig v) { storage = v; return this; }
        public Builder quorum(QuorumConfig v) { quorum = v; return this; }
        public Builder effective(Map<String, String> v) { effective = Map.copyOf(v); return this; }

        public ServerConfig build() {
            return new ServerConfig(tickTime, clientPort, clientPortAddress, dataDir,
                    dataLogDir == null ? dataDir : dataLogDir, maxClientCnxns,
                    minSessionTimeout < 0 ? 2 * tickTime : minSessionTimeout,
                    maxSessionTimeout < 0 ? 20 * tickTime : maxSessionTimeout, fourLetterWords, juteMaxBuffer,
                    extendedTypesEnabled, superDigest, globalOutstandingLimit, serverId, adminEnableServer,
                    adminServerAddress, adminServerPort, containerCheckIntervalMs, containerMaxPerMinute, storage, quorum, effective);
        }
    }
}
