package io.ensemble.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import static io.ensemble.config.Values.PORT;
import static io.ensemble.config.Values.intIn;

/**
 * Reads the ensemble from {@code server.N} lines, or generates them from a StatefulSet's replica count and
 * headless-service naming ({@code k8s.replicas}, {@code k8s.serviceName}, ...), so that scaling the manifest
 * needs no script. Returns null for a standalone server.
 */
final class QuorumConfigLoader {
    private static final Logger LOG = Logger.getLogger(QuorumConfigLoader.class.getName());

    private static final String TICKS = "a positive integer (ticks)";

    private QuorumConfigLoader() {
    }

    static QuorumConfig load(ConfigReader in, List<String> serverKeys, java.nio.file.Path dataDir,
                             boolean extendedTypes, int clientPort) {
        List<PeerSpec> peers = new ArrayList<>();
        for (String key : serverKeys) {
            ConfigReader.Found found = in.find(key).orElseThrow();
            long id = Long.parseLong(key.substring("server.".length()));
            try {
                peers.add(PeerSpec.parse(id, found.value()));
            } catch (IllegalArgumentException e) {
                throw in.invalid(found, "host:quorumPort:electionPort[:participant|:observer][;[host:]clientPort] ("
                        + e.getMessage() + ")");
            }
        }
        boolean fromStatefulSet = peers.isEmpty();
        if (fromStatefulSet) {
            peers = statefulSetPeers(in, clientPort);
        }
        if (peers.isEmpty()) {
            in.value("initLimit", null, intIn(1, Integer.MAX_VALUE), TICKS);
            in.value("syncLimit", null, intIn(1, Integer.MAX_VALUE), TICKS);
            return null;
        }
        int initLimit = in.value("initLimit", 10, intIn(1, Integer.MAX_VALUE), TICKS);
        int syncLimit = in.value("syncLimit", 5, intIn(1, Integer.MAX_VALUE), TICKS);
        boolean listenOnAllIPs = in.value("quorumListenOnAllIPs", true, Values.BOOLEAN, "true or false");
        checkClashes(peers);
        long myId = MyId.resolve(in, dataDir, true, extendedTypes);
        if (fromStatefulSet) {
            checkOrdinal(myId);
        }
        if (peers.stream().noneMatch(p -> p.id() == myId)) {
            throw new ConfigException("Invalid configuration: myid " + myId + " is not in the server list ("
                    + peers.stream().map(p -> "server." + p.id()).toList() + ")");
        }
        QuorumConfig quorum = new QuorumConfig(myId, peers, initLimit, syncLimit, listenOnAllIPs);
        if (quorum.voters().isEmpty()) {
            throw new ConfigException("Invalid configuration: every server.N is an observer; an ensemble needs voters");
        }
        int voters = quorum.voters().size();
        if (voters > 1 && voters % 2 == 0) {
            LOG.warning("The ensemble has an even number of voters (" + voters + "): it survives no more failures than "
                    + (voters - 1) + " voters would (" + (voters - quorum.quorumSize()) + "); use an odd number");
        }
        return quorum;
    }

    /**
     * In a StatefulSet the pod's ordinal is its identity; a myid (say a file on a reused volume) that names
     * another server would make two members claim one id, so start-up stops instead.
     */
    private static void checkOrdinal(long myId) {
        Hostnames.hostName().ifPresent(host -> Hostnames.ordinal(host).ifPresent(ordinal -> {
            if (ordinal + 1L != myId) {
                throw new ConfigException("Invalid configuration: myid " + myId + " disagrees with this pod's "
                        + "StatefulSet ordinal (" + host + " is server " + (ordinal + 1) + "); remove the stale "
                        + "myid file or setting");
            }
        }));
    }

    /** Two peers may not share a host and port: one of them could never bind it. */
    private static void checkClashes(List<PeerSpec> peers) {
        Map<String, Long> used = new HashMap<>();
        for (PeerSpec p : peers) {
            for (int port : new int[] {p.quorumPort(), p.electionPort()}) {
                Long other = used.put(p.host() + ":" + port, p.id());
                if (other != null && other != p.id()) {
                    throw new ConfigException("Invalid configuration: server." + other + " and server." + p.id()
                            + " both use " + p.host() + ":" + port);
                }
            }
        }
    }

    private static String recorded(ConfigReader in, ConfigReader.Found f) {
        in.record(f.key(), f.value(), f.origin());
        return f.value();
    }

    /**
     * server.N generated from a StatefulSet: pod {@code <name>-<i>} is server i+1 at
     * {@code <name>-<i>.<service>[.<namespace>.svc.<k8s.clusterDomain>]}.
     */
    private static List<PeerSpec> statefulSetPeers(ConfigReader in, int clientPort) {
        Integer replicas = in.value("k8s.replicas", null, intIn(1, 255), "a replica count 1-255");
        if (replicas == null) {
            return List.of();
        }
        String service = in.find("k8s.serviceName").map(f -> recorded(in, f))
                .orElseThrow(() -> new ConfigException("Invalid configuration: k8s.replicas is set but "
                        + "k8s.serviceName (the headless service of the StatefulSet) is not"));
        String name = in.find("k8s.statefulSetName").map(f -> recorded(in, f))
                .or(() -> Hostnames.ordinalPrefix().map(p -> {
                    in.record("k8s.statefulSetName", p, "host name");
                    return p;
                }))
                .orElseThrow(() -> new ConfigException("Invalid configuration: k8s.replicas is set but the "
                        + "StatefulSet name is unknown: set k8s.statefulSetName or run in a pod named <name>-<n>"));
        Optional<String> namespace = in.find("k8s.namespace").map(f -> recorded(in, f));
        String domain = in.value("k8s.clusterDomain", "cluster.local", s -> s, "a DNS domain");
        int quorumPort = in.value("quorumPort", 2888, PORT, "a port number");
        int electionPort = in.value("electionPort", 3888, PORT, "a port number");
        List<PeerSpec> peers = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            String host = name + "-" + i + "." + service + namespace.map(ns -> "." + ns + ".svc." + domain)
                    .orElse("");
            peers.add(new PeerSpec(i + 1, host, quorumPort, electionPort, false, null, clientPort));
            in.record("server." + (i + 1), peers.get(i).toLine(), "generated from k8s.replicas");
        }
        return peers;
    }
}
