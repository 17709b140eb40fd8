package io.ensemble.config;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.ensemble.config.Values.BOOLEAN;
import static io.ensemble.config.Values.PORT;
import static io.ensemble.config.Values.intIn;

/**
 * Turns MicroProfile Config into a validated {@link ServerConfig}. Keys keep their zoo.cfg names; which source wins
 * is MicroProfile's business (system properties 400 > env vars 300 > zoo.cfg 150 > microprofile-config.properties 100
 * > the defaults here). Every bad value stops start-up with one {@link ConfigException} line.
 */
public final class ServerConfigLoader {
    private static final Logger LOG = Logger.getLogger(ServerConfigLoader.class.getName());
    private static final int MAX = Integer.MAX_VALUE;
    private static final String POSITIVE_MS = "a positive integer (milliseconds)";
    private static final String NON_NEGATIVE = "a non-negative integer";
    private static final String TRUE_FALSE = "true or false";
    private static final String PORT_NUMBER = "a port number 0-65535";

    private static final Pattern SERVER_KEY = Pattern.compile("server\\.\\d+");
    // Also matches the env form SERVER_1, which getPropertyNames() reports under its env name.
    private static final Pattern SERVER_NAME = Pattern.compile("(?i)server[._](\\d+)");

    /** Keys this loader reads; any other zoo.cfg key (except server.N) is reported as unknown. */
    static final Set<String> KNOWN_KEYS = Set.of("tickTime", "clientPort", "clientPortAddress", "dataDir",
            "dataLogDir", "maxClientCnxns", "minSessionTimeout", "maxSessionTimeout", "4lw.commands.whitelist",
            "jute.maxbuffer", "extendedTypesEnabled", "superDigest", "globalOutstandingLimit", "admin.serverPort",
            "admin.serverAddress", "admin.enableServer", "znode.container.checkIntervalMs",
            "znode.container.maxPerMinute", MyId.KEY, "initLimit", "syncLimit", "snapCount", "forceSync",
            "autopurge.snapRetainCount", "autopurge.purgeInterval", "maxCnxns", "preAllocSize", "myid", "k8s.replicas",
            "k8s.serviceName", "k8s.statefulSetName", "k8s.namespace", "k8s.clusterDomain", "quorumPort", "electionPort",
            "quorumListenOnAllIPs");

    private ServerConfigLoader() {
    }

    /**
     * Reads and validates the server configuration.
     *
     * @throws ConfigException with a one-line message when a value is bad or a named zoo.cfg cannot be read
     */
    public static ServerConfig load(Config config) {
        Loaded loaded = read(config);
        if (!loaded.unknownKeys().isEmpty()) {
            LOG.warning("Unknown zoo.cfg keys (kept in the effective configuration, otherwise ignored): "
                    + String.join(", ", loaded.unknownKeys()));
        }
        QuorumConfig quorum = loaded.config().quorum();
        if (quorum != null && quorum.voters().size() % 2 == 0) {
            LOG.warning("The ensemble has " + quorum.voters().size() + " voting servers: an even count tolerates no "
                    + "more failures than " + (quorum.voters().size() - 1) + " would");
        }
        return loaded.config();
    }

    /** One {@code key=value (origin)} line per effective key, sorted, for the start-up log; superDigest masked. */
    public static List<String> describe(Config config) {
        return read(config).reader().describe();
    }

    private record Loaded(ServerConfig config, ConfigReader reader, List<String> unknownKeys) {
    }

    private static Loaded read(Config config) {
        failOnUnreadableZooCfg(config);
        ConfigReader in = new ConfigReader(config);
        ServerConfig.Builder b = ServerConfig.builder();
        int tickTime = in.value("tickTime", ServerConfig.DEFAULT_TICK_TIME, intIn(1, MAX), POSITIVE_MS);
        b.tickTime(tickTime);
        int clientPort = clientSide(in, b);
        sessionTimeouts(in, tickTime, b);
        Path dataDir = storage(in, b);
        adminServer(in, b);
        containers(in, b);
        boolean extendedTypes = in.value("extendedTypesEnabled", false, BOOLEAN, TRUE_FALSE);
        b.extendedTypesEnabled(extendedTypes);
        String superDigest = in.value("superDigest", null, Values.DIGEST, "id:digest, e.g. super:<base64 SHA-1>");
        if (superDigest != null) {
            b.superDigest(superDigest);
            in.replaceValue("superDigest", Values.maskDigest(superDigest));
        }
        List<String> servers = keepServerLines(config, in);
        QuorumConfig quorum = QuorumConfigLoader.load(in, servers, dataDir, extendedTypes, clientPort);
        b.quorum(quorum);
        b.serverId(quorum == null ? MyId.resolve(in, dataDir, false, extendedTypes) : quorum.myId());
        b.storage(storageSettings(in));
        laterIssueKeys(in);
        List<String> unknown = keepUnknownZooCfgKeys(config, in);
        b.effective(in.effective());
        return new Loaded(b.build(), in, unknown);
    }

    private static void failOnUnreadableZooCfg(Config config) {
        for (ConfigSource source : config.getConfigSources()) {
            if (source instanceof ZooCfgConfigSource zooCfg && zooCfg.failure().isPresent()) {
                throw new ConfigException(zooCfg.failure().get());
            }
        }
    }

    private static int clientSide(ConfigReader in, ServerConfig.Builder b) {
        int clientPort = in.value("clientPort", 2181, PORT, PORT_NUMBER);
        b.clientPort(clientPort);
        b.clientPortAddress(in.value("clientPortAddress", null, s -> s, "a host name or address"));
        b.maxClientCnxns(in.value("maxClientCnxns", 60, intIn(0, MAX), NON_NEGATIVE + " (0 = no limit)"));
        b.fourLetterWords(in.value("4lw.commands.whitelist", Set.of("srvr"), "srvr", Values.FOUR_LETTER_WORDS,
                "a comma-separated list of four-letter words (e.g. srvr,ruok,mntr) or *"));
        b.juteMaxBuffer(in.value("jute.maxbuffer", ServerConfig.DEFAULT_JUTE_MAX_BUFFER, Values.SIZE,
                "a positive number of bytes, decimal or 0x hex"));
        b.globalOutstandingLimit(in.value("globalOutstandingLimit", 1000, intIn(1, MAX), "a positive integer"));
        return clientPort;
    }

    // ZooKeeper's rule: unset (or -1) means 2 x / 20 x tickTime; min must not exceed max.
    private static void sessionTimeouts(ConfigReader in, int tickTime, ServerConfig.Builder b) {
        Optional<ConfigReader.Found> minSet = in.find("minSessionTimeout").filter(f -> !f.value().equals("-1"));
        Optional<ConfigReader.Found> maxSet = in.find("maxSessionTimeout").filter(f -> !f.value().equals("-1"));
        int min = minSet.map(f -> in.parse(f, intIn(1, MAX), POSITIVE_MS))
                .orElseGet(() -> derived(in, "minSessionTimeout", tickTime, 2));
        int max = maxSet.map(f -> in.parse(f, intIn(1, MAX), POSITIVE_MS))
                .orElseGet(() -> derived(in, "maxSessionTimeout", tickTime, 20));
        if (min > max) {
            throw minSet.isPresent()
                    ? in.invalid(minSet.get(), "at most maxSessionTimeout (" + max + ")")
                    : in.invalid(maxSet.orElseThrow(), "at least minSessionTimeout (" + min + " = 2 x tickTime)");
        }
        b.minSessionTimeout(min).maxSessionTimeout(max);
    }

    private static int derived(ConfigReader in, String key, int tickTime, int factor) {
        int value = (int) Math.min((long) tickTime * factor, MAX);
        in.record(key, String.valueOf(value), "default (" + factor + " x tickTime)");
        return value;
    }

    private static Path storage(ConfigReader in, ServerConfig.Builder b) {
        Path dataDir = in.value("dataDir", Path.of("data"), Values.PATH, "a directory path");
        Path dataLogDir = in.value("dataLogDir", null, Values.PATH, "a directory path");
        if (dataLogDir == null) {
            dataLogDir = dataDir;
            in.record("dataLogDir", dataDir.toString(), "default (dataDir)");
        }
        b.dataDir(dataDir).dataLogDir(dataLogDir);
        return dataDir;
    }

    private static void adminServer(ConfigReader in, ServerConfig.Builder b) {
        b.adminEnableServer(in.value("admin.enableServer", true, BOOLEAN, TRUE_FALSE));
        b.adminServerAddress(in.value("admin.serverAddress", "0.0.0.0", s -> s, "a host name or address"));
        b.adminServerPort(in.value("admin.serverPort", 8080, PORT, PORT_NUMBER));
    }

    private static void containers(ConfigReader in, ServerConfig.Builder b) {
        b.containerCheckIntervalMs(in.value("znode.container.checkIntervalMs", 60_000L,
                Values.longIn(1, Long.MAX_VALUE), POSITIVE_MS));
        b.containerMaxPerMinute(in.value("znode.container.maxPerMinute", 10_000, intIn(1, MAX), "a positive integer"));
    }

    private static StorageConfig storageSettings(ConfigReader in) {
        int snapCount = in.value("snapCount", 100_000, intIn(2, MAX), "an integer >= 2");
        boolean forceSync = in.value("forceSync", true, "yes", Values.YES_NO, "yes or no");
        int retain = in.value("autopurge.snapRetainCount", 3, intIn(0, MAX), NON_NEGATIVE);
        if (retain < 3) {
            LOG.warning("autopurge.snapRetainCount=" + retain + " is below the minimum; using 3");
        }
        int interval = in.value("autopurge.purgeInterval", 0, intIn(0, MAX), NON_NEGATIVE + " (hours, 0 = never)");
        long preAllocKb = in.value("preAllocSize", 65_536L, Values.longIn(1, Long.MAX_VALUE / 1024),
                "a positive number of kilobytes");
        return new StorageConfig(snapCount, forceSync, retain, interval, preAllocKb * 1024);
    }

    /** Validated now so a typo fails at start-up, kept in effective until the issues that use them add components. */
    private static void laterIssueKeys(ConfigReader in) {
        in.value("maxCnxns", 0, intIn(0, MAX), NON_NEGATIVE + " (0 = no limit)");
    }


    /** server.N lines from any source (zoo.cfg, -Dserver.N, env SERVER_N), kept as strings for now. */
    private static List<String> keepServerLines(Config config, ConfigReader in) {
        Set<String> keys = new TreeSet<>();
        for (String name : config.getPropertyNames()) {
            Matcher m = SERVER_NAME.matcher(name);
            if (m.matches()) {
                keys.add("server." + m.group(1));
            }
        }
        List<String> present = new ArrayList<>();
        for (String key : keys) {
            if (in.find(key).isPresent()) {
                in.keep(key);
                present.add(key);
            }
        }
        return present;
    }

    private static List<String> keepUnknownZooCfgKeys(Config config, ConfigReader in) {
        Set<String> unknown = new TreeSet<>();
        for (ConfigSource source : config.getConfigSources()) {
            if (source instanceof ZooCfgConfigSource) {
                for (String key : source.getPropertyNames()) {
                    if (!KNOWN_KEYS.contains(key) && !SERVER_KEY.matcher(key).matches()) {
                        unknown.add(key);
                    }
                }
            }
        }
        unknown.forEach(in::keep);
        return List.copyOf(unknown);
    }
}
