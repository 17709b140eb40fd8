package io.ensemble.k8s;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.ensemble.config.ConfigException;
import io.ensemble.config.LeadingDigitEnvConfigSource;
import io.ensemble.config.PeerSpec;
import io.ensemble.config.QuorumConfig;
import io.ensemble.config.ServerConfig;
import io.ensemble.config.ServerConfigLoader;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LabelSelectorRequirement;
import io.kubernetes.client.openapi.models.V1PodAffinityTerm;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Validates every manifest in {@code k8s/} offline against the Kubernetes API models (the official Java client's
 * generated models reject unknown fields, missing required fields and wrong shapes), then checks that the objects fit
 * together and fit the server: selectors that really select the pods, the headless service the StatefulSet names,
 * probes on the paths and port the server serves, and env vars that the server's configuration loader really reads
 * and that yield the ensemble the StatefulSet's DNS names promise.
 */
class ManifestsTest {
    private static final Path K8S = Path.of(System.getProperty("basedir", ".")).resolve("k8s");
    private static final Map<String, Class<?>> MODELS = Map.of(
            "apps/v1/StatefulSet", V1StatefulSet.class,
            "v1/Service", V1Service.class,
            "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class,
            "v1/ConfigMap", V1ConfigMap.class);
    /** Env vars the container sets that are not zoo.cfg keys; each is checked on its own below. */
    private static final Set<String> NOT_SERVER_KEYS = Set.of("JAVA_TOOL_OPTIONS", "MP_CONFIG_PROFILE");
    private static final String PROFILE_RESOURCE = "META-INF/microprofile-config-k8s.properties";
    private static final String NAMESPACE = "prod";

    private static final Map<String, List<Object>> OBJECTS = new LinkedHashMap<>();
    private static final Map<String, JsonObject> TREES = new LinkedHashMap<>();

    private static V1StatefulSet sts;
    private static V1Service headless;
    private static V1Service client;
    private static V1PodDisruptionBudget pdb;
    private static V1ConfigMap configMap;

    @BeforeAll
    static void loadEveryManifest() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(K8S)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            for (Object doc : yamlDocs(file)) {
                if (doc == null) {
                    continue;
                }
                JsonObject tree = new Gson().toJsonTree(doc).getAsJsonObject();
                String type = tree.get("apiVersion").getAsString() + "/" + tree.get("kind").getAsString();
                Class<?> model = MODELS.get(type);
                assertThat(model).as("%s: no model for %s", file.getFileName(), type).isNotNull();
                Object typed = strictLoad(file + " " + type, tree, model);
                OBJECTS.computeIfAbsent(type, k -> new ArrayList<>()).add(typed);
                TREES.put(file.getFileName() + " " + type, tree);
            }
        }
        sts = only("apps/v1/StatefulSet", V1StatefulSet.class);
        pdb = only("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class);
        configMap = only("v1/ConfigMap", V1ConfigMap.class);
        for (Object o : OBJECTS.getOrDefault("v1/Service", List.of())) {
            V1Service svc = (V1Service) o;
            if ("None".equals(svc.getSpec().getClusterIP())) {
                assertThat(headless).as("one headless service").isNull();
                headless = svc;
            } else {
                assertThat(client).as("one client service").isNull();
                client = svc;
            }
        }
        assertThat(headless).as("a headless service (clusterIP: None)").isNotNull();
        assertThat(client).as("a client service").isNotNull();
    }

    private static List<Object> yamlDocs(Path file) throws IOException {
        List<Object> docs = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(r).forEach(docs::add);
        }
        return docs;
    }

    /** The model's own validator (unknown fields, required fields, shapes), then Gson for value types. */
    private static <T> T strictLoad(String what, JsonElement tree, Class<T> model) {
        try {
            model.getMethod("validateJsonElement", JsonElement.class).invoke(null, tree);
        } catch (InvocationTargetException e) {
            throw new AssertionError(what + " is not a valid " + model.getSimpleName() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        return JSON.getGson().fromJson(tree, model);
    }

    private static <T> T only(String type, Class<T> cls) {
        List<Object> all = OBJECTS.getOrDefault(type, List.of());
        assertThat(all).as("exactly one %s", type).hasSize(1);
        return cls.cast(all.get(0));
    }

    // ---------------------------------------------------------------------------------------------------- schema

    @Test
    void theValidatorIsStrict() {
        JsonObject tree = TREES.entrySet().stream().filter(e -> e.getKey().endsWith("StatefulSet"))
                .findFirst().orElseThrow().getValue();
        JsonObject typo = tree.deepCopy();
        JsonObject container = typo.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec")
                .getAsJsonArray("containers").get(0).getAsJsonObject();
        container.add("readinessProbes", container.get("readinessProbe"));
        assertThatThrownBy(() -> strictLoad("typo", typo, V1StatefulSet.class))
                .hasMessageContaining("readinessProbes");

        JsonObject noSelector = tree.deepCopy();
        noSelector.getAsJsonObject("spec").remove("selector");
        assertThatThrownBy(() -> strictLoad("no selector", noSelector, V1StatefulSet.class))
                .hasMessageContaining("selector");

        JsonObject badType = tree.deepCopy();
        badType.getAsJsonObject("spec").addProperty("replicas", "three");
        assertThatThrownBy(() -> strictLoad("bad replicas", badType, V1StatefulSet.class));
    }

    @Test
    void kustomizationListsEveryManifest() throws IOException {
        Map<?, ?> k = (Map<?, ?>) yamlDocs(K8S.resolve("kustomization.yaml")).get(0);
        assertThat(k.get("kind")).isEqualTo("Kustomization");
        Set<String> listed = new TreeSet<>();
        for (Object r : (List<?>) k.get("resources")) {
            listed.add((String) r);
            assertThat(K8S.resolve((String) r)).exists();
        }
        Set<String> present = new TreeSet<>();
        TREES.keySet().forEach(key -> present.add(key.substring(0, key.indexOf(' '))));
        assertThat(listed).isEqualTo(present);
    }

    // ------------------------------------------------------------------------------------------- how they fit

    @Test
    void statefulSetShape() {
        assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
        assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(matches(sts.getSpec().getSelector(), podLabels()))
                .as("the StatefulSet selector selects its own pod template").isTrue();
        assertThat(podSpec().getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(30L);
        assertThat(podSpec().getEnableServiceLinks()).as("no service-link env vars leak into MP Config").isFalse();
    }

    @Test
    void hardAntiAffinityReallyMatchesThePods() {
        List<V1PodAffinityTerm> terms = podSpec().getAffinity().getPodAntiAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution();
        assertThat(terms).isNotEmpty();
        V1PodAffinityTerm term = terms.stream().filter(t -> "kubernetes.io/hostname".equals(t.getTopologyKey()))
                .findFirst().orElseThrow(() -> new AssertionError("no required anti-affinity on the host name"));
        assertThat(isEmpty(term.getLabelSelector())).as("an empty selector would repel every pod").isFalse();
        assertThat(matches(term.getLabelSelector(), podLabels()))
                .as("anti-affinity selector %s matches the pod labels %s", term.getLabelSelector(), podLabels())
                .isTrue();
        assertThat(term.getNamespaces()).as("same namespace as the pods").isNullOrEmpty();
    }

    @Test
    void headlessServiceIsThePeerServiceAndPublishesNotReadyPods() {
        assertThat(sts.getSpec().getServiceName()).isEqualTo(headless.getMetadata().getName());
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(selects(headless.getSpec().getSelector())).isTrue();
        assertPortsReachContainer(headless, 2888, 3888);
        assertThat(envValue("K8S_SERVICENAME")).isEqualTo(headless.getMetadata().getName());
    }

    @Test
    void clientServiceServesClientsAndMetricsFromReadyPodsOnly() {
        assertThat(selects(client.getSpec().getSelector())).isTrue();
        assertThat(client.getSpec().getPublishNotReadyAddresses()).isNotEqualTo(Boolean.TRUE);
        assertPortsReachContainer(client, 2181, 8080);
    }

    @Test
    void pdbCoversThePodsWithMaxUnavailableOne() {
        assertThat(pdb.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
        assertThat(pdb.getSpec().getMinAvailable()).isNull();
        assertThat(isEmpty(pdb.getSpec().getSelector())).isFalse();
        assertThat(matches(pdb.getSpec().getSelector(), podLabels())).isTrue();
    }

    @Test
    void probesHitTheHealthEndpointsOnTheHttpPort() {
        V1Container c = container();
        String httpPortName = portName(8080);
        assertThat(envValue("ADMIN_SERVERPORT")).isEqualTo("8080");
        assertProbe(c.getStartupProbe(), "/health/started", httpPortName);
        assertProbe(c.getLivenessProbe(), "/health/live", httpPortName);
        assertProbe(c.getReadinessProbe(), "/health/ready", httpPortName);
        // Startup covers a slow snapshot restore before liveness may kill the pod.
        assertThat(c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold())
                .isGreaterThanOrEqualTo(120);
        assertThat(c.getLivenessProbe().getPeriodSeconds() * c.getLivenessProbe().getFailureThreshold())
                .as("liveness is patient: an election or a GC pause must not restart the pod")
                .isGreaterThanOrEqualTo(30);
    }

    @Test
    void resourcesAndSecurityContext() {
        V1Container c = container();
        for (String r : List.of("cpu", "memory")) {
            assertThat(c.getResources().getRequests()).containsKey(r);
            assertThat(c.getResources().getLimits()).containsKey(r);
        }
        Quantity request = c.getResources().getRequests().get("memory");
        Quantity limit = c.getResources().getLimits().get("memory");
        assertThat(request.getNumber()).isEqualByComparingTo(limit.getNumber());

        var pod = podSpec().getSecurityContext();
        assertThat(pod.getRunAsNonRoot()).isTrue();
        assertThat(pod.getRunAsUser()).isPositive();
        assertThat(pod.getFsGroup()).isPositive();
        var sc = c.getSecurityContext();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(mountPath("tmp")).isEqualTo("/tmp");
        assertThat(podSpec().getVolumes()).anyMatch(v -> v.getName().equals("tmp") && v.getEmptyDir() != null);
    }

    @Test
    void dataLivesOnTheVolumeClaim() {
        assertThat(sts.getSpec().getVolumeClaimTemplates()).hasSize(1);
        String claim = sts.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName();
        String path = mountPath(claim);
        assertThat(path).isNotNull();
        assertThat(podSpec().getVolumes()).noneMatch(v -> v.getName().equals(claim));
        for (String key : List.of("DATADIR", "DATALOGDIR")) {
            assertThat(envValue(key)).as(key).satisfiesAnyOf(v -> assertThat(v).isEqualTo(path),
                    v -> assertThat(v).startsWith(path + "/"));
        }
    }

    @Test
    void replicasAndK8sReplicasAgree() {
        assertThat(envValue("K8S_REPLICAS")).isEqualTo(String.valueOf(sts.getSpec().getReplicas()));
        assertThat(sts.getSpec().getReplicas() % 2).as("an odd ensemble").isEqualTo(1);
    }

    @Test
    void configMapRefsExistAndTheProfileIsShipped() {
        for (V1EnvVar e : container().getEnv()) {
            if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                assertThat(e.getValueFrom().getConfigMapKeyRef().getName())
                        .isEqualTo(configMap.getMetadata().getName());
                assertThat(configMap.getData()).containsKey(e.getValueFrom().getConfigMapKeyRef().getKey());
            }
        }
        assertThat(configMap.getData().keySet()).as("every ConfigMap key is used by the StatefulSet")
                .allMatch(k -> container().getEnv().stream().anyMatch(e -> e.getValueFrom() != null
                        && e.getValueFrom().getConfigMapKeyRef() != null
                        && e.getValueFrom().getConfigMapKeyRef().getKey().equals(k)));
        assertThat(envValue("MP_CONFIG_PROFILE")).isEqualTo("k8s");
        assertThat(getClass().getClassLoader().getResource(PROFILE_RESOURCE)).isNotNull();
        assertThat(envValue("JAVA_TOOL_OPTIONS")).containsAnyOf("MaxRAMPercentage", "-Xmx");
    }

    // ------------------------------------------------------------------------------------- env and the server

    /**
     * The container's env (ConfigMap refs and the downward API resolved) as MicroProfile sources, exactly as Helidon
     * looks env vars up, plus the k8s profile file. A pod learns its StatefulSet name and ordinal from HOSTNAME, which a
     * test JVM cannot set, so those two come from an override here; {@link #realServerConfigInAPodJvm} does it for
     * real in a child JVM.
     */
    @Test
    void everyEnvVarIsReadByTheServerAndYieldsTheStatefulSetEnsemble() throws IOException {
        Map<String, String> env = containerEnv("ensemble-1");
        Map<String, String> pod = Map.of("k8s.statefulSetName", sts.getMetadata().getName(), "myid", "2");
        Config config = ConfigProviderResolver.instance().getBuilder().withSources(
                new Source("Environment Variables", 300, env) {
                    @Override
                    public String getValue(String key) {
                        String replaced = key.replaceAll("[^a-zA-Z0-9_]", "_");
                        for (String name : new String[] {key, replaced, replaced.toUpperCase()}) {
                            if (env.containsKey(name)) {
                                return env.get(name);
                            }
                        }
                        return null;
                    }
                },
                new Source(LeadingDigitEnvConfigSource.NAME, 300, Map.of()) {
                    @Override
                    public String getValue(String key) {
                        String name = LeadingDigitEnvConfigSource.envName(key);
                        return name == null ? null : env.get(name);
                    }
                },
                new Source("k8s profile", 100, profile()),
                new Source("pod host name", 500, pod)).build();

        ServerConfig cfg;
        try {
            cfg = ServerConfigLoader.load(config);
        } catch (ConfigException e) {
            throw new AssertionError("the manifest's env does not start the server: " + e.getMessage(), e);
        }
        assertEnsemble(cfg.quorum(), NAMESPACE);
        assertThat(cfg.quorum().myId()).isEqualTo(2);
        assertThat(cfg.clientPort()).isEqualTo(port("client"));
        assertThat(cfg.adminServerPort()).isEqualTo(port("http"));
        assertThat(cfg.dataDir()).isEqualTo(Path.of(envValue("DATADIR")));
        assertThat(cfg.dataLogDir()).isEqualTo(Path.of(envValue("DATALOGDIR")));
        assertThat(cfg.tickTime()).isEqualTo(Integer.parseInt(configMap.getData().get("TICKTIME")));
        assertThat(cfg.quorum().initLimit()).isEqualTo(Integer.parseInt(configMap.getData().get("INITLIMIT")));
        assertThat(cfg.quorum().syncLimit()).isEqualTo(Integer.parseInt(configMap.getData().get("SYNCLIMIT")));
        assertThat(cfg.storage().purgeIntervalHours()).isPositive();
        assertThat(cfg.fourLetterWords()).contains("ruok", "mntr", "srvr");

        assertEveryEnvVarWasRead(env, ServerConfigLoader.describe(config));
    }

    /**
     * A child JVM with the container's exact environment, HOSTNAME set as in pod ensemble-2 and no id anywhere else,
     * loading the real Helidon configuration (default and discovered sources, the k8s profile): the way the image
     * starts. Also a pod with nothing but the profile and K8S_REPLICAS gets the profile's defaults.
     */
    @Test
    void realServerConfigInAPodJvm() throws Exception {
        Map<String, String> env = new HashMap<>(containerEnv("ensemble-2"));
        env.put("HOSTNAME", "ensemble-2");
        // Keep the manifest's JVM flags (a bad one fails the child) but a small heap on this shared machine.
        env.put("JAVA_TOOL_OPTIONS", env.get("JAVA_TOOL_OPTIONS") + " -Xms16m -Xmx128m");
        List<String> out = runChild(env);
        assertThat(out).as("child output").contains("serverId=3 (host name ensemble-2 (StatefulSet ordinal 2 + 1))");
        for (int i = 0; i < 3; i++) {
            assertThat(out).contains("server." + (i + 1) + "=" + host(i, NAMESPACE) + ":2888:3888:participant;2181"
                    + " (generated from k8s.replicas)");
        }
        assertEveryEnvVarWasRead(containerEnv("ensemble-2"), out);

        List<String> bare = runChild(Map.of("MP_CONFIG_PROFILE", "k8s", "K8S_REPLICAS", "3",
                "HOSTNAME", "ensemble-0", "JAVA_TOOL_OPTIONS", "-Xmx128m"));
        assertThat(bare).anyMatch(l -> l.startsWith("dataDir=/data/data (") && l.contains("microprofile-config-k8s"));
        // k8s.serviceName=ensemble-hs from the profile shows in the generated host names.
        assertThat(bare).contains("serverId=1 (host name ensemble-0 (StatefulSet ordinal 0 + 1))",
                "server.3=" + host(2, null) + ":2888:3888:participant;2181 (generated from k8s.replicas)");
    }

    /**
     * Every env var must show up as the origin of an effective key. The k8s.serviceName, k8s.namespace and
     * k8s.statefulSetName keys are read by the server only to build the server.N lines and are not listed in the
     * effective configuration (yet), so for them the proof is their value in every generated host name.
     */
    private static void assertEveryEnvVarWasRead(Map<String, String> env, List<String> describe) {
        Set<String> read = new TreeSet<>();
        List<String> hosts = new ArrayList<>();
        for (String line : describe) {
            int at = line.lastIndexOf("(env var ");
            if (at >= 0) {
                read.add(line.substring(at + "(env var ".length(), line.length() - 1));
            }
            if (line.startsWith("server.") && line.endsWith("(generated from k8s.replicas)")) {
                hosts.add(line.substring(line.indexOf('=') + 1, line.indexOf(':')));
            }
        }
        Set<String> expected = new TreeSet<>(env.keySet());
        expected.removeAll(NOT_SERVER_KEYS);
        expected.removeAll(read);
        for (String name : List.copyOf(expected)) {
            String v = env.get(name);
            switch (name) {
                case "K8S_SERVICENAME" -> assertThat(hosts).isNotEmpty().allMatch(h -> h.contains("." + v + ".")
                        || h.endsWith("." + v));
                case "K8S_NAMESPACE" -> assertThat(hosts).isNotEmpty()
                        .allMatch(h -> h.endsWith("." + v + ".svc.cluster.local"));
                case "K8S_STATEFULSETNAME" -> assertThat(hosts).isNotEmpty().allMatch(h -> h.startsWith(v + "-"));
                default -> {
                    continue;
                }
            }
            expected.remove(name);
        }
        assertThat(expected).as("env vars the server took no value from; effective config:%n%s",
                String.join("\n", describe)).isEmpty();
    }

    private void assertEnsemble(QuorumConfig quorum, String namespace) {
        assertThat(quorum).as("an ensemble, not a standalone server").isNotNull();
        int replicas = sts.getSpec().getReplicas();
        assertThat(quorum.peers()).hasSize(replicas);
        for (int i = 0; i < replicas; i++) {
            PeerSpec p = quorum.peer(i + 1).orElseThrow();
            assertThat(p.host()).isEqualTo(host(i, namespace));
            assertThat(p.quorumPort()).isEqualTo(port("quorum"));
            assertThat(p.electionPort()).isEqualTo(port("election"));
            assertThat(p.clientPort()).isEqualTo(port("client"));
            assertThat(p.observer()).isFalse();
        }
    }

    /** The DNS name StatefulSet pod i gets through the headless service. */
    private static String host(int ordinal, String namespace) {
        return sts.getMetadata().getName() + "-" + ordinal + "." + sts.getSpec().getServiceName()
                + (namespace == null ? "" : "." + namespace + ".svc.cluster.local");
    }

    private List<String> runChild(Map<String, String> env) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                PrintConfig.class.getName());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> lines = stdout.lines().toList();
        assertThat(p.exitValue()).as("child output: %s", lines).isZero();
        return lines;
    }

    /** The child process: the real MicroProfile Config, printed as describe() lines, or "ERROR <message>". */
    public static final class PrintConfig {
        public static void main(String[] args) {
            Config config = ConfigProviderResolver.instance().getBuilder()
                    .addDefaultSources().addDiscoveredSources().build();
            try {
                ServerConfigLoader.load(config);
                ServerConfigLoader.describe(config).forEach(System.out::println);
            } catch (ConfigException e) {
                System.out.println("ERROR " + e.getMessage());
                System.exit(2);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static V1PodSpec podSpec() {
        return sts.getSpec().getTemplate().getSpec();
    }

    private static V1Container container() {
        assertThat(podSpec().getContainers()).hasSize(1);
        return podSpec().getContainers().get(0);
    }

    private static Map<String, String> podLabels() {
        return sts.getSpec().getTemplate().getMetadata().getLabels();
    }

    private static boolean selects(Map<String, String> serviceSelector) {
        return serviceSelector != null && !serviceSelector.isEmpty()
                && podLabels().entrySet().containsAll(serviceSelector.entrySet());
    }

    private static boolean isEmpty(V1LabelSelector s) {
        return s == null || ((s.getMatchLabels() == null || s.getMatchLabels().isEmpty())
                && (s.getMatchExpressions() == null || s.getMatchExpressions().isEmpty()));
    }

    /** Kubernetes' label selector semantics: every matchLabels pair and every expression must hold. */
    static boolean matches(V1LabelSelector s, Map<String, String> labels) {
        if (s == null) {
            return false;
        }
        if (s.getMatchLabels() != null && !labels.entrySet().containsAll(s.getMatchLabels().entrySet())) {
            return false;
        }
        for (V1LabelSelectorRequirement r : s.getMatchExpressions() == null
                ? List.<V1LabelSelectorRequirement>of() : s.getMatchExpressions()) {
            String v = labels.get(r.getKey());
            List<String> values = r.getValues() == null ? List.of() : r.getValues();
            boolean ok = switch (r.getOperator()) {
                case "In" -> v != null && values.contains(v);
                case "NotIn" -> v == null || !values.contains(v);
                case "Exists" -> v != null;
                case "DoesNotExist" -> v == null;
                default -> throw new AssertionError("unknown selector operator " + r.getOperator());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static int port(String name) {
        return container().getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + name)).getContainerPort();
    }

    private static String portName(int number) {
        return container().getPorts().stream().filter(p -> p.getContainerPort() == number).findFirst()
                .map(V1ContainerPort::getName).filter(n -> n != null && !n.isEmpty())
                .orElseThrow(() -> new AssertionError("no named container port " + number));
    }

    private static void assertPortsReachContainer(V1Service svc, int... numbers) {
        for (int number : numbers) {
            V1ServicePort sp = svc.getSpec().getPorts().stream().filter(p -> p.getPort() == number).findFirst()
                    .orElseThrow(() -> new AssertionError(svc.getMetadata().getName() + " has no port " + number));
            IntOrString target = sp.getTargetPort() == null ? new IntOrString(number) : sp.getTargetPort();
            int resolved = target.isInteger() ? target.getIntValue() : port(target.getStrValue());
            assertThat(resolved).as("%s port %d reaches container port", svc.getMetadata().getName(), number)
                    .isEqualTo(number);
        }
    }

    private static void assertProbe(V1Probe probe, String path, String portName) {
        assertThat(probe).as("probe for %s", path).isNotNull();
        V1HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as("httpGet probe for %s", path).isNotNull();
        assertThat(get.getPath()).isEqualTo(path);
        IntOrString port = get.getPort();
        assertThat(port.isInteger() ? portName(port.getIntValue()) : port.getStrValue()).isEqualTo(portName);
        assertThat(get.getScheme() == null || get.getScheme().equals("HTTP")).isTrue();
    }

    private static String mountPath(String volume) {
        return container().getVolumeMounts().stream().filter(m -> m.getName().equals(volume))
                .map(V1VolumeMount::getMountPath).findFirst().orElse(null);
    }

    private static String envValue(String name) {
        return containerEnv("ensemble-0").get(name);
    }

    /** The env a pod of this StatefulSet gets: literal values, ConfigMap keys and the downward API resolved. */
    private static Map<String, String> containerEnv(String podName) {
        Map<String, String> env = new LinkedHashMap<>();
        for (V1EnvVar e : container().getEnv()) {
            String value;
            if (e.getValueFrom() == null) {
                value = e.getValue() == null ? "" : e.getValue();
            } else if (e.getValueFrom().getConfigMapKeyRef() != null) {
                assertThat(e.getValueFrom().getConfigMapKeyRef().getName())
                        .isEqualTo(configMap.getMetadata().getName());
                value = configMap.getData().get(e.getValueFrom().getConfigMapKeyRef().getKey());
                assertThat(value).as("ConfigMap key for %s", e.getName()).isNotNull();
            } else if (e.getValueFrom().getFieldRef() != null) {
                value = switch (e.getValueFrom().getFieldRef().getFieldPath()) {
                    case "metadata.namespace" -> NAMESPACE;
                    case "metadata.name" -> podName;
                    default -> fail("unexpected fieldRef " + e.getValueFrom().getFieldRef().getFieldPath());
                };
            } else {
                throw new AssertionError("unexpected valueFrom for " + e.getName());
            }
            assertThat(env.put(e.getName(), value)).as("env %s set twice", e.getName()).isNull();
        }
        assertThat(container().getEnvFrom()).as("every env var is listed, so this test sees it").isNullOrEmpty();
        return env;
    }

    private static Map<String, String> profile() throws IOException {
        Properties p = new Properties();
        try (InputStream in = ManifestsTest.class.getClassLoader().getResourceAsStream(PROFILE_RESOURCE)) {
            assertThat(in).as(PROFILE_RESOURCE).isNotNull();
            p.load(in);
        }
        Map<String, String> m = new HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }

    private static class Source implements ConfigSource {
        private final String name;
        private final int ordinal;
        private final Map<String, String> values;

        Source(String name, int ordinal, Map<String, String> values) {
            this.name = name;
            this.ordinal = ordinal;
            this.values = Map.copyOf(values);
        }

        @Override
        public Map<String, String> getProperties() {
            return values;
        }

        @Override
        public Set<String> getPropertyNames() {
            return values.keySet();
        }

        @Override
        public String getValue(String key) {
            return values.get(key);
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public int getOrdinal() {
            return ordinal;
        }
    }
}
