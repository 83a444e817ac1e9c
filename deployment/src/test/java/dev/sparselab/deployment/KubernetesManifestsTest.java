package dev.sparselab.deployment;

import static dev.sparselab.deployment.Manifests.id;
import static dev.sparselab.deployment.Manifests.named;
import static dev.sparselab.deployment.Manifests.ofKind;
import static dev.sparselab.deployment.Manifests.render;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparselab.contracts.Topics;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** k8s/: both overlays render, every object is a valid object of its kind, and the deployment policies hold. */
class KubernetesManifestsTest {
    static final Pattern PINNED = Pattern.compile("[^:@]+(:[\\w][\\w.-]*[0-9][\\w.-]*)?(@sha256:[0-9a-f]{64})?");
    static final Set<String> SERVICES = Set.of("gateway", "experiment-service", "trainer-service", "evaluator-service");

    // ---- every object is valid

    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void everyBuiltInObjectParsesIntoItsModelWithNoUnknownField(String overlay) {
        List<String> problems = new ArrayList<>();
        for (JsonNode o : render(overlay)) {
            if (!Manifests.isCustom(o) || o.path("apiVersion").asText().startsWith("kafka.strimzi.io")) {
                problems.addAll(Manifests.strictProblems(o));
            }
        }
        assertThat(problems).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void everyCustomResourceMatchesItsOperatorsSchema(String overlay) {
        List<JsonNode> custom = render(overlay).stream().filter(Manifests::isCustom).toList();
        Repo.Result r = Manifests.validateCustomResources(custom);
        assertThat(r.out().lines().filter(l -> !l.startsWith("ok ")).toList()).as(r.err()).isEmpty();
        assertThat(r.out().lines().count()).isEqualTo(custom.size());
        assertThat(r.status()).isZero();
    }

    @Test
    void theStrictParseAndTheSchemasCatchMistakes() {
        JsonNode deployment = named(render("dev"), "Deployment", "gateway").deepCopy();
        ((ObjectNode) deployment.at("/spec/template/spec/containers/0")).set("readinesProbe",
                deployment.at("/spec/template/spec/containers/0/readinessProbe"));
        assertThat(Manifests.strictProblems(deployment))
                .containsExactly("Deployment/gateway/spec/template/spec/containers/0: unknown field(s) [readinesProbe]");
        assertThat(Manifests.modelClass(deployment)).isEqualTo(Deployment.class);

        JsonNode topic = named(render("dev"), "KafkaTopic", "sparselab-run-requested").deepCopy();
        ((ObjectNode) topic.path("spec")).put("partition", 3);
        assertThat(Manifests.strictProblems(topic)).singleElement().asString().contains("[partition]");
        assertThat(Manifests.modelClass(topic)).isEqualTo(KafkaTopic.class);
        assertThat(Manifests.modelClass(named(render("dev"), "Kafka", "sparselab-kafka"))).isEqualTo(Kafka.class);
        assertThat(Manifests.modelClass(named(render("dev"), "KafkaNodePool", "dual-role")))
                .isEqualTo(KafkaNodePool.class);

        JsonNode scaled = named(render("gpu"), "ScaledObject", "trainer-service").deepCopy();
        ((ObjectNode) scaled.path("spec")).put("minReplicaCount", "none");
        JsonNode cluster = named(render("gpu"), "Cluster", "sparselab-db").deepCopy();
        ((ObjectNode) cluster.path("spec")).put("instances", -1);
        Repo.Result r = Manifests.validateCustomResources(List.of(scaled, cluster));
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("invalid ScaledObject/trainer-service: /spec/minReplicaCount must be integer")
                .contains("invalid Cluster/sparselab-db: /spec/instances must be >= 1");
    }

    // ---- containers

    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void everyServiceContainerHasProbesResourcesAndRunsLockedDown(String overlay) {
        List<JsonNode> deployments = ofKind(render(overlay), "Deployment");
        assertThat(deployments.stream().map(d -> d.at("/metadata/name").asText())).containsExactlyInAnyOrderElementsOf(SERVICES);
        for (JsonNode d : deployments) {
            JsonNode pod = d.at("/spec/template/spec");
            assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).as(id(d)).isTrue();
            assertThat(pod.at("/securityContext/runAsUser").asInt()).as(id(d)).isPositive();
            assertThat(pod.at("/securityContext/seccompProfile/type").asText()).as(id(d)).isEqualTo("RuntimeDefault");
            assertThat(pod.at("/automountServiceAccountToken").asBoolean(true)).as(id(d)).isFalse();
            for (JsonNode c : pod.path("containers")) {
                String what = id(d) + " container " + c.path("name").asText();
                assertThat(c.at("/readinessProbe/httpGet/path").asText()).as(what).isEqualTo("/actuator/health/readiness");
                assertThat(c.at("/livenessProbe/httpGet/path").asText()).as(what).isEqualTo("/actuator/health/liveness");
                assertThat(c.at("/startupProbe/httpGet/path").asText()).as(what).isEqualTo("/actuator/health/liveness");
                // a probe's port must be one of the container's: the experiment-service's and the gateway's actuator
                // have their own (management), reachable from inside the cluster only (issue 20 item 5, issue 21)
                String probed = List.of("experiment-service", "gateway").contains(d.at("/metadata/name").asText())
                        ? "management" : c.at("/ports/0/name").asText();
                for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
                    assertThat(c.at("/" + probe + "/httpGet/port").asText()).as(what + " " + probe).isEqualTo(probed);
                }
                boolean declared = false;
                for (JsonNode port : c.path("ports")) {
                    declared |= port.path("name").asText().equals(probed);
                }
                assertThat(declared).as(what + " declares port " + probed).isTrue();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void everyContainerHasResourcesAndRunsLockedDown(String overlay) {
        for (JsonNode[] pc : containers(render(overlay))) {
            JsonNode owner = pc[0];
            JsonNode c = pc[1];
            String what = id(owner) + " container " + c.path("name").asText();
            assertThat(c.at("/resources/requests/cpu").isMissingNode()).as(what + " cpu request").isFalse();
            assertThat(c.at("/resources/requests/memory").isMissingNode()).as(what + " memory request").isFalse();
            assertThat(c.at("/resources/limits/memory").asText()).as(what + " memory limit")
                    .isEqualTo(c.at("/resources/requests/memory").asText());
            assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).as(what).isFalse();
            assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).as(what).isTrue();
            assertThat(c.at("/securityContext/capabilities/drop").toString()).as(what).isEqualTo("[\"ALL\"]");
            assertThat(owner.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean()).as(what).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void everyImageIsPinned(String overlay) {
        List<String> images = new ArrayList<>();
        containers(render(overlay)).forEach(pc -> images.add(pc[1].path("image").asText()));
        ofKind(render(overlay), "Cluster").forEach(c -> images.add(c.at("/spec/imageName").asText()));
        assertThat(images).hasSizeGreaterThan(5).allSatisfy(image -> {
            assertThat(image).matches(PINNED).doesNotEndWith(":latest");
            assertThat(image.contains(":") || image.contains("@sha256:")).as(image + " has a version").isTrue();
        });
        assertThat(images).filteredOn(i -> i.startsWith("ghcr.io/sparselab/"))
                .allSatisfy(i -> assertThat(i).matches("ghcr\\.io/sparselab/[a-z-]+:0\\.1\\.0(-cuda)?"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void everyDeploymentHasAServiceAndADisruptionBudget(String overlay) {
        List<JsonNode> objects = render(overlay);
        for (JsonNode d : ofKind(objects, "Deployment")) {
            JsonNode podLabels = d.at("/spec/template/metadata/labels");
            assertThat(ofKind(objects, "PodDisruptionBudget")).as(id(d))
                    .anySatisfy(pdb -> assertThat(selects(pdb.at("/spec/selector/matchLabels"), podLabels)).isTrue());
            assertThat(ofKind(objects, "Service")).as(id(d))
                    .anySatisfy(s -> assertThat(selects(s.at("/spec/selector"), podLabels)).isTrue());
        }
    }

    // ---- configuration the services read

    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void everySettingAPodGetsIsOneItsServiceReads(String overlay) {
        List<JsonNode> objects = render(overlay);
        JsonNode config = ofKind(objects, "ConfigMap").stream()
                .filter(c -> c.at("/metadata/name").asText().equals("sparselab-config")).findFirst().orElseThrow();
        for (JsonNode d : ofKind(objects, "Deployment")) {
            String service = d.at("/metadata/name").asText();
            JsonNode c = d.at("/spec/template/spec/containers/0");
            Set<String> names = new HashSet<>();
            c.path("env").forEach(e -> names.add(e.path("name").asText()));
            boolean usesConfig = false;
            for (JsonNode from : c.path("envFrom")) {
                assertThat(from.at("/configMapRef/name").asText()).isEqualTo("sparselab-config");
                config.path("data").fieldNames().forEachRemaining(names::add);
                usesConfig = true;
            }
            ServiceSettings.assertConsumed(service, names);
            if (!service.equals("gateway")) {
                assertThat(usesConfig).as(service + " gets the shared settings").isTrue();
                assertThat(names).as(service).contains("SPARSELAB_DB_URL", "SPARSELAB_DB_USER",
                        "SPARSELAB_DB_PASSWORD", "SPARSELAB_KAFKA");
            } else {
                // the gateway keeps users, tokens and sessions in PostgreSQL, and needs no Kafka
                assertThat(names).containsExactlyInAnyOrder("SPARSELAB_DB_URL", "SPARSELAB_DB_USER",
                        "SPARSELAB_DB_PASSWORD", "SPARSELAB_INTERNAL_SECRET", "SPARSELAB_EXPERIMENT_SERVICE",
                        "SPARSELAB_SECURE_COOKIES", "SPARSELAB_ADMIN_PASSWORD", "SPARSELAB_TRUSTED_PROXIES",
                        "MANAGEMENT_SERVER_ADDRESS");
                // behind the Ingress the client's address comes from trusted proxies' X-Forwarded-For (issue 20)
                c.path("env").forEach(e -> {
                    if (e.path("name").asText().equals("SPARSELAB_TRUSTED_PROXIES")) {
                        for (String cidr : e.path("value").asText().split(",")) {
                            assertThat(cidr).matches("[0-9a-f.:]+/[0-9]{1,3}");
                        }
                    }
                });
            }
        }
        // the addresses are the ones the operators create
        JsonNode kafka = ofKind(objects, "Kafka").get(0);
        JsonNode db = ofKind(objects, "Cluster").get(0);
        assertThat(config.at("/data/SPARSELAB_KAFKA").asText())
                .isEqualTo(kafka.at("/metadata/name").asText() + "-kafka-bootstrap:9092");
        assertThat(config.at("/data/SPARSELAB_DB_URL").asText()).isEqualTo("jdbc:postgresql://"
                + db.at("/metadata/name").asText() + "-rw:5432/" + db.at("/spec/bootstrap/initdb/database").asText());
        assertThat(named(objects, "Deployment", "experiment-service").at("/spec/template/spec/containers/0/env")
                .findParents("name").stream().filter(e -> e.path("name").asText().equals("SPARSELAB_MANAGE_TOPICS"))
                .map(e -> e.path("value").asText()).toList()).containsExactly("false");
        Map<String, Set<String>> secrets = new HashMap<>();
        for (JsonNode d : ofKind(objects, "Deployment")) {
            for (JsonNode e : d.at("/spec/template/spec/containers/0/env")) {
                if (e.at("/valueFrom/secretKeyRef").isObject()) {
                    secrets.computeIfAbsent(e.path("name").asText(), k -> new HashSet<>())
                            .add(e.at("/valueFrom/secretKeyRef/name").asText() + "/"
                                    + e.at("/valueFrom/secretKeyRef/key").asText() + " in " + id(d));
                }
            }
        }
        String app = db.at("/metadata/name").asText() + "-app";
        assertThat(secrets.get("SPARSELAB_DB_USER")).allSatisfy(r -> assertThat(r).startsWith(app + "/username in "));
        assertThat(secrets.get("SPARSELAB_DB_PASSWORD")).allSatisfy(r -> assertThat(r).startsWith(app + "/password in "));
        // the gateway and the experiment-service share one internal secret
        assertThat(secrets.get("SPARSELAB_INTERNAL_SECRET")).containsExactlyInAnyOrder(
                "sparselab-internal/secret in Deployment/gateway", "sparselab-internal/secret in Deployment/experiment-service");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void trainersAndEvaluatorsMountTheDatasetsWhereTheyLookAndWaitForThem(String overlay) {
        List<JsonNode> objects = render(overlay);
        JsonNode job = ofKind(objects, "Job").get(0);
        String claim = job.at("/spec/template/spec/volumes/0/persistentVolumeClaim/claimName").asText();
        // issue 20 item 6: a claim the overlay's clusters can bind — dev (one node, local-path): ReadWriteOnce on the
        // default class; gpu (pods on many nodes): ReadWriteMany on a named class, not the default block storage
        JsonNode pvc = named(objects, "PersistentVolumeClaim", claim);
        assertThat(pvc.at("/spec/accessModes").toString()).isEqualTo("dev".equals(overlay) ? "[\"ReadWriteOnce\"]"
                : "[\"ReadWriteMany\"]");
        assertThat(pvc.at("/spec/storageClassName").asText(null)).isEqualTo("dev".equals(overlay) ? null
                : "sparselab-rwx");
        for (String service : List.of("trainer-service", "evaluator-service")) {
            JsonNode pod = named(objects, "Deployment", service).at("/spec/template/spec");
            String dir = pod.at("/containers/0/env").findParents("name").stream()
                    .filter(e -> e.path("name").asText().equals("SPARSELAB_DATASETS_DIR"))
                    .map(e -> e.path("value").asText()).findFirst().orElseThrow();
            assertThat(pod.at("/containers/0/volumeMounts").findValuesAsText("mountPath")).contains(dir);
            assertThat(pod.at("/volumes").findValuesAsText("claimName")).containsExactly(claim);
            assertThat(pod.at("/initContainers/0/command").toString()).contains("fetch-datasets.sh", "--check");
        }
    }

    /**
     * Issue 20 item 11: the datasets Job's template does not change when the script does (a Job's template is
     * immutable: `kubectl apply -k` failed on every change of the script while the Job existed), and the finished
     * Job is removed after a while, so that a later apply creates it afresh.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void theDatasetsJobsTemplateStaysTheSameWhenItsScriptChanges(String overlay) throws Exception {
        java.nio.file.Path copy = java.nio.file.Files.createTempDirectory("k8s-copy");
        try {
            Repo.run(List.of("cp", "-r", "k8s", copy.toString()));
            java.nio.file.Path script = copy.resolve("k8s/base/datasets/fetch-datasets.sh");
            java.nio.file.Files.writeString(script, java.nio.file.Files.readString(script) + "\n# changed\n");
            List<JsonNode> changed = Manifests.parse(Repo.output("kubectl", "kustomize",
                    copy.resolve("k8s/overlays/" + overlay).toString()));
            List<JsonNode> original = render(overlay);
            JsonNode before = ofKind(original, "Job").get(0);
            JsonNode after = ofKind(changed, "Job").get(0);
            assertThat(after.at("/spec/template")).isEqualTo(before.at("/spec/template"));
            assertThat(named(changed, "ConfigMap", "sparselab-datasets-script").toString()).contains("# changed");
            assertThat(before.at("/spec/ttlSecondsAfterFinished").asInt()).isPositive();
        } finally {
            Repo.run(List.of("rm", "-rf", copy.toString()));
        }
    }

    /**
     * Issue 20 item 12: every JVM container leaves at least 384 MiB of its memory limit outside the heap its image
     * sizes as a share of it (metaspace, code cache, threads, direct and native memory): the gateway had 768 MiB
     * with a 75% heap, 192 MiB for the rest.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void everyJvmHasRoomOutsideItsHeap(String overlay) {
        java.util.regex.Pattern share = java.util.regex.Pattern.compile("MaxRAMPercentage=(\\d+)");
        for (JsonNode d : ofKind(render(overlay), "Deployment")) {
            JsonNode c = d.at("/spec/template/spec/containers/0");
            String image = c.path("image").asText();
            String module = image.replaceAll(".*/([a-z-]+):.*", "$1");
            String dockerfile = Repo.read(module + (image.endsWith("-cuda") ? "/Dockerfile.cuda" : "/Dockerfile"));
            java.util.regex.Matcher m = share.matcher(dockerfile);
            assertThat(m.find()).as(module).isTrue();
            long limit = bytesOf(c.at("/resources/limits/memory").asText());
            long outsideHeap = limit - limit * Integer.parseInt(m.group(1)) / 100;
            assertThat(outsideHeap).as(id(d) + " memory outside the heap").isGreaterThanOrEqualTo(384L << 20);
        }
    }

    static long bytesOf(String quantity) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(Mi|Gi)").matcher(quantity);
        assertThat(m.matches()).as(quantity).isTrue();
        return Long.parseLong(m.group(1)) << ("Gi".equals(m.group(2)) ? 30 : 20);
    }

    /** The gpu overlay with one of {@code k8s/components/}, as an operator's overlay adds it (rendered from a copy). */
    static List<JsonNode> renderGpuWith(String component) throws Exception {
        java.nio.file.Path copy = java.nio.file.Files.createTempDirectory("k8s-copy");
        try {
            Repo.run(List.of("cp", "-r", "k8s", copy.toString()));
            java.nio.file.Path overlay = copy.resolve("k8s/overlays/lab");
            java.nio.file.Files.createDirectories(overlay);
            java.nio.file.Files.writeString(overlay.resolve("kustomization.yaml"), """
                    apiVersion: kustomize.config.k8s.io/v1beta1
                    kind: Kustomization
                    resources:
                      - ../gpu
                    components:
                      - ../../components/%s
                    """.formatted(component));
            return Manifests.parse(Repo.output("kubectl", "kustomize", overlay.toString()));
        } finally {
            Repo.run(List.of("rm", "-rf", copy.toString()));
        }
    }

    /** Issue 20 item 12: GPU nodes that need NVIDIA's runtime class get it from a component an overlay adds. */
    @Test
    void theNvidiaRuntimeClassComponentGivesTheGpuTrainersTheirRuntime() throws Exception {
        List<JsonNode> objects = renderGpuWith("nvidia-runtime-class");
        assertThat(named(objects, "Deployment", "trainer-service").at("/spec/template/spec/runtimeClassName")
                .asText()).isEqualTo("nvidia");
        assertThat(named(render("gpu"), "Deployment", "trainer-service").at("/spec/template/spec")
                .has("runtimeClassName")).isFalse();
    }

    /**
     * Issue 21: the optional monitoring component scrapes every service's Prometheus endpoint on a port its pods
     * declare, admits those ports from inside the cluster only, and the Grafana dashboard asks only for series the
     * services define (or Spring's and Kafka's bindings give).
     */
    @Test
    void theMonitoringComponentScrapesPortsThePodsHaveAndTheDashboardAsksForRealSeries() throws Exception {
        List<JsonNode> objects = renderGpuWith("monitoring");
        JsonNode monitor = named(objects, "PodMonitor", "sparselab");
        Set<String> scraped = new HashSet<>();
        monitor.at("/spec/podMetricsEndpoints").forEach(e -> {
            assertThat(e.path("path").asText()).isEqualTo("/actuator/prometheus");
            scraped.add(e.path("port").asText());
        });
        for (String service : List.of("experiment-service", "trainer-service", "evaluator-service")) {
            JsonNode c = named(objects, "Deployment", service).at("/spec/template/spec/containers/0");
            Set<String> ports = new HashSet<>();
            c.path("ports").forEach(p -> ports.add(p.path("name").asText()));
            assertThat(ports).as(service).containsAnyElementsOf(scraped);
            String yaml = Repo.read(service + "/src/main/resources/" + service + ".yaml");
            assertThat(yaml).as(service).contains("include: health,info,metrics,prometheus");
        }
        JsonNode workers = named(objects, "NetworkPolicy", "workers-metrics");
        assertThat(workers.at("/spec/ingress/0/from/0").has("namespaceSelector")).isTrue();
        assertThat(workers.at("/spec/ingress/0/from/0").has("ipBlock")).isFalse();
        JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Repo.read("docs/grafana-dashboard.json"));
        String sources = String.join("\n", Repo.read("experiment-service/src/main/java/dev/sparselab/experiment/"
                        + "metrics/PlatformMetrics.java"),
                Repo.read("trainer-service/src/main/java/dev/sparselab/trainer/TrainerMetrics.java"),
                Repo.read("evaluator-service/src/main/java/dev/sparselab/evaluator/RunCompletedListener.java"));
        java.util.regex.Matcher names = java.util.regex.Pattern.compile("sparselab_[a-z_]+").matcher(
                dashboard.findValuesAsText("expr").toString());
        int checked = 0;
        while (names.find()) {
            String series = names.group().replaceAll("_(total|sum|count)$", "");
            String meter = series.startsWith("sparselab_evaluation_seconds") ? "sparselab.evaluation"
                    : series.replace('_', '.');
            assertThat(sources).as(names.group()).contains("\"" + meter + "\"");
            checked++;
        }
        assertThat(checked).isGreaterThan(8);
    }

    /** Issue 20 item 8: the Strimzi the manifests need (Kafka 4.1.0: 0.48 or later) is what the docs install, pinned. */
    @Test
    void theOperatorVersionsTheDocsInstallArePinnedAndFitTheManifests() {
        String docs = Repo.read("docs/deploy.md");
        String kafkaVersion = ofKind(render("gpu"), "Kafka").get(0).at("/spec/kafka/version").asText();
        assertThat(kafkaVersion).isEqualTo("4.1.0");
        assertThat(docs).doesNotContain("install/latest").contains("Strimzi ≥ 0.48")
                .contains("strimzi-kafka-operator --version 0.49.1").contains("cnpg-1.29.0.yaml")
                .containsPattern("kedacore/keda --version \\d+\\.\\d+\\.\\d+");
        assertThat(Repo.read("k8s/base/kustomization.yaml")).contains(">= 0.48");
    }

    // ---- network

    /**
     * Issue 20 item 5: the experiment-service's API port admits the gateway only; its actuator (metrics) has a port
     * of its own, admitted from inside the cluster only (pods of any namespace, no address block).
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void theExperimentServicesApiIsTheGatewaysAndItsActuatorTheClustersOnly(String overlay) {
        List<JsonNode> objects = render(overlay);
        Map<Integer, List<JsonNode>> fromByPort = new HashMap<>();
        for (JsonNode p : ofKind(objects, "NetworkPolicy")) {
            if (!p.at("/spec/podSelector/matchLabels/app.kubernetes.io~1name").asText().equals("experiment-service")) {
                continue;
            }
            for (JsonNode rule : p.at("/spec/ingress")) {
                for (JsonNode port : rule.path("ports")) {
                    rule.path("from").forEach(f -> fromByPort.computeIfAbsent(port.path("port").asInt(),
                            k -> new ArrayList<>()).add(f));
                }
            }
        }
        assertThat(fromByPort.keySet()).containsExactlyInAnyOrder(8081, 9081);
        assertThat(fromByPort.get(8081)).singleElement().satisfies(f -> assertThat(
                f.at("/podSelector/matchLabels").toString()).isEqualTo("{\"app.kubernetes.io/name\":\"gateway\"}"));
        assertThat(fromByPort.get(9081)).singleElement().satisfies(f -> {
            assertThat(f.has("namespaceSelector")).isTrue();
            assertThat(f.has("ipBlock")).isFalse();
        });
        JsonNode env = named(objects, "Deployment", "experiment-service").at("/spec/template/spec/containers/0/env");
        assertThat(env.findParents("name").stream().filter(e -> e.path("name").asText()
                .equals("SPARSELAB_MANAGEMENT_ADDRESS")).map(e -> e.path("value").asText()).toList())
                .containsExactly("0.0.0.0");
    }

    /**
     * Issue 21: the gateway's actuator (probes, Prometheus) is on a port of its own, probed there and admitted from
     * inside the cluster only; the public port serves no metrics.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void theGatewaysActuatorHasAPortOfItsOwnForTheClusterOnly(String overlay) {
        List<JsonNode> objects = render(overlay);
        JsonNode container = named(objects, "Deployment", "gateway").at("/spec/template/spec/containers/0");
        assertThat(container.at("/ports").findValuesAsText("name")).containsExactlyInAnyOrder("http", "management");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(container.at("/" + probe + "/httpGet/port").asText()).as(probe).isEqualTo("management");
        }
        JsonNode policy = named(objects, "NetworkPolicy", "gateway-management");
        assertThat(policy.at("/spec/ingress/0/ports/0/port").asInt()).isEqualTo(9080);
        assertThat(policy.at("/spec/ingress/0/from/0").has("namespaceSelector")).isTrue();
        assertThat(policy.at("/spec/ingress/0/from/0").has("ipBlock")).isFalse();
        assertThat(container.at("/env").findParents("name").stream().filter(e -> e.path("name").asText()
                .equals("MANAGEMENT_SERVER_ADDRESS")).map(e -> e.path("value").asText()).toList())
                .containsExactly("0.0.0.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void onlyTheGatewayIsReachableFromOutsideAndOnlyClientsReachTheDatabaseAndKafka(String overlay) {
        List<JsonNode> objects = render(overlay);
        List<JsonNode> policies = ofKind(objects, "NetworkPolicy");
        assertThat(policies).anySatisfy(p -> {
            assertThat(p.at("/spec/podSelector").size()).isZero();
            assertThat(p.at("/spec/policyTypes").toString()).isEqualTo("[\"Ingress\"]");
            assertThat(p.at("/spec/ingress").isMissingNode()).isTrue();
        });
        // a rule without "from" admits everyone: only the gateway's
        for (JsonNode p : policies) {
            for (JsonNode rule : p.at("/spec/ingress")) {
                if (!rule.has("from")) {
                    assertThat(p.at("/spec/podSelector/matchLabels").toString()).as(id(p))
                            .isEqualTo("{\"app.kubernetes.io/name\":\"gateway\"}");
                }
            }
        }
        assertThat(named(objects, "Ingress", "sparselab").findValuesAsText("name")).contains("gateway");
        assertThat(named(objects, "Ingress", "sparselab").at("/spec/rules").findValues("service"))
                .allSatisfy(s -> assertThat(s.path("name").asText()).isEqualTo("gateway"));

        Map<String, JsonNode> podLabels = new HashMap<>();
        ofKind(objects, "Deployment").forEach(d ->
                podLabels.put(d.at("/metadata/name").asText(), d.at("/spec/template/metadata/labels")));
        // PostgreSQL: the pods the policy admits are exactly the services with a datasource (the gateway: users,
        // tokens, sessions)
        JsonNode pg = named(objects, "NetworkPolicy", "postgres-clients");
        assertThat(pg.at("/spec/podSelector/matchLabels/cnpg.io~1cluster").asText())
                .isEqualTo(ofKind(objects, "Cluster").get(0).at("/metadata/name").asText());
        JsonNode dbClients = pg.at("/spec/ingress/0/from/0/podSelector/matchLabels");
        assertThat(admitted(podLabels, dbClients)).containsExactlyInAnyOrder("gateway", "experiment-service",
                "trainer-service", "evaluator-service");
        // Kafka (Strimzi writes the policy from the listener's peers): the same services, and KEDA
        JsonNode listener = ofKind(objects, "Kafka").get(0).at("/spec/kafka/listeners/0");
        assertThat(admitted(podLabels, listener.at("/networkPolicyPeers/0/podSelector/matchLabels")))
                .containsExactlyInAnyOrder("experiment-service", "trainer-service", "evaluator-service");
        assertThat(listener.at("/networkPolicyPeers/1/namespaceSelector/matchLabels/kubernetes.io~1metadata.name")
                .asText()).isEqualTo("keda");
        assertThat(listener.path("networkPolicyPeers")).hasSize(2);
        // the experiment-service only from the gateway
        assertThat(admitted(podLabels, named(objects, "NetworkPolicy", "experiment-service-from-gateway")
                .at("/spec/ingress/0/from/0/podSelector/matchLabels"))).containsExactly("gateway");
    }

    // ---- Kafka and PostgreSQL

    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void everyTopicTheCodeUsesHasAKafkaTopic(String overlay) throws IllegalAccessException {
        List<JsonNode> objects = render(overlay);
        JsonNode kafka = ofKind(objects, "Kafka").get(0);
        assertThat(kafka.at("/spec/zookeeper").isMissingNode()).as("KRaft, no ZooKeeper").isTrue();
        assertThat(kafka.at("/spec/kafka/config/auto.create.topics.enable").asBoolean(true)).isFalse();
        JsonNode pool = ofKind(objects, "KafkaNodePool").get(0);
        assertThat(pool.at("/spec/roles").toString()).contains("controller", "broker");
        assertThat(pool.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo(kafka.at("/metadata/name").asText());

        Map<String, JsonNode> topics = new HashMap<>();
        for (JsonNode t : ofKind(objects, "KafkaTopic")) {
            assertThat(t.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo(kafka.at("/metadata/name").asText());
            assertThat(t.at("/spec/config/retention.ms").asLong()).as(id(t)).isPositive();
            assertThat(t.at("/spec/replicas").asInt()).isLessThanOrEqualTo(pool.at("/spec/replicas").asInt());
            assertThat(t.at("/spec/config/min.insync.replicas").asInt()).isLessThanOrEqualTo(t.at("/spec/replicas").asInt());
            topics.put(t.at("/spec/topicName").asText(), t);
        }
        List<String> used = new ArrayList<>();
        for (Field f : Topics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && !f.getName().endsWith("_GROUP")) {
                used.add((String) f.get(null));
            }
        }
        assertThat(used).hasSize(8);
        assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(used);
        for (String t : used) {
            if (t.endsWith("-dlt")) { // a dead letter keeps its partition
                assertThat(topics.get(t).at("/spec/partitions").asInt())
                        .isEqualTo(topics.get(t.substring(0, t.length() - 4)).at("/spec/partitions").asInt());
            }
        }
    }

    @Test
    void theSharedInstallationKeepsThreeCopiesAndBacksUpTheDatabase() {
        List<JsonNode> objects = render("gpu");
        JsonNode db = ofKind(objects, "Cluster").get(0);
        assertThat(db.at("/spec/instances").asInt()).isEqualTo(3);
        assertThat(db.at("/spec/backup/barmanObjectStore/destinationPath").asText()).startsWith("s3://");
        assertThat(db.at("/spec/backup/retentionPolicy").asText()).isNotEmpty();
        JsonNode scheduled = ofKind(objects, "ScheduledBackup").get(0);
        assertThat(scheduled.at("/spec/cluster/name").asText()).isEqualTo(db.at("/metadata/name").asText());
        assertThat(scheduled.at("/spec/schedule").asText().split(" ")).hasSize(6);
        assertThat(ofKind(objects, "KafkaNodePool").get(0).at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(ofKind(objects, "KafkaTopic")).allSatisfy(t -> {
            assertThat(t.at("/spec/replicas").asInt()).isEqualTo(3);
            assertThat(t.at("/spec/config/min.insync.replicas").asInt()).isEqualTo(2);
        });
    }

    // ---- trainers

    @Test
    void gpuTrainersRequestGpusOnGpuNodesAndScaleFromZeroOnTheQueue() {
        List<JsonNode> objects = render("gpu");
        JsonNode trainer = named(objects, "Deployment", "trainer-service");
        JsonNode pod = trainer.at("/spec/template/spec");
        JsonNode c = pod.at("/containers/0");
        assertThat(c.at("/resources/limits/nvidia.com~1gpu").asInt()).isEqualTo(1);
        assertThat(c.at("/resources/requests/nvidia.com~1gpu").asInt()).isEqualTo(1);
        assertThat(c.path("image").asText()).endsWith("-cuda");
        assertThat(pod.path("tolerations")).anySatisfy(t -> {
            assertThat(t.path("key").asText()).isEqualTo("nvidia.com/gpu");
            assertThat(t.path("effect").asText()).isEqualTo("NoSchedule");
        });
        assertThat(pod.at("/nodeSelector/nvidia.com~1gpu.present").asText()).isEqualTo("true");
        assertThat(trainer.at("/spec/replicas").isMissingNode()).as("KEDA owns the replica count").isTrue();
        // no other pod asks for a GPU
        ofKind(objects, "Deployment").stream().filter(d -> d != trainer).forEach(d ->
                assertThat(d.toString()).doesNotContain("nvidia.com/gpu"));

        JsonNode scaled = named(objects, "ScaledObject", "trainer-service");
        assertThat(scaled.at("/spec/scaleTargetRef/name").asText()).isEqualTo("trainer-service");
        assertThat(scaled.at("/spec/minReplicaCount").asInt()).isZero();
        int max = scaled.at("/spec/maxReplicaCount").asInt();
        JsonNode trigger = scaled.at("/spec/triggers/0");
        assertThat(trigger.path("type").asText()).isEqualTo("kafka");
        assertThat(trigger.at("/metadata/topic").asText()).isEqualTo(Topics.RUN_REQUESTED);
        assertThat(trigger.at("/metadata/consumerGroup").asText()).isEqualTo(Topics.TRAINERS_GROUP);
        String kafka = ofKind(objects, "Kafka").get(0).at("/metadata/name").asText();
        assertThat(trigger.at("/metadata/bootstrapServers").asText())
                .isEqualTo(kafka + "-kafka-bootstrap." + trainer.at("/metadata/namespace").asText() + ".svc:9092");
        // more trainers than partitions would sit idle
        int partitions = ofKind(objects, "KafkaTopic").stream()
                .filter(t -> t.at("/spec/topicName").asText().equals(Topics.RUN_REQUESTED))
                .findFirst().orElseThrow().at("/spec/partitions").asInt();
        assertThat(max).isGreaterThan(1).isLessThanOrEqualTo(partitions);
    }

    @Test
    void theDevInstallationIsSmallAndHasNoGpus() {
        List<JsonNode> objects = render("dev");
        assertThat(ofKind(objects, "ScaledObject")).isEmpty();
        assertThat(ofKind(objects, "ScheduledBackup")).isEmpty();
        assertThat(objects.toString()).doesNotContain("nvidia.com/gpu");
        assertThat(named(objects, "Deployment", "trainer-service").at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(ofKind(objects, "Cluster").get(0).at("/spec/instances").asInt()).isEqualTo(1);
        assertThat(ofKind(objects, "KafkaTopic")).allSatisfy(t -> assertThat(t.at("/spec/replicas").asInt()).isEqualTo(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void everythingLandsInTheSparselabNamespace(String overlay) {
        for (JsonNode o : render(overlay)) {
            if (!o.path("kind").asText().equals("Namespace")) {
                assertThat(o.at("/metadata/namespace").asText()).as(id(o)).isEqualTo("sparselab");
            }
            assertThat(o.at("/metadata/labels/app.kubernetes.io~1part-of").asText()).as(id(o)).isEqualTo("sparselab");
        }
    }

    // ---- helpers

    /** Every (owner, container) pair: Deployments' and Jobs' containers and init containers. */
    /** Issue 20, item 10: the dev overlay serves plain HTTP, so its session cookie is not Secure; the GPU one's is. */
    @Test
    void theSessionCookieIsSecureOnlyWhereTlsServesIt() {
        for (String overlay : List.of("dev", "gpu")) {
            JsonNode env = named(render(overlay), "Deployment", "gateway").at("/spec/template/spec/containers/0/env");
            List<String> values = new java.util.ArrayList<>();
            env.forEach(e -> {
                if (e.path("name").asText().equals("SPARSELAB_SECURE_COOKIES")) {
                    values.add(e.path("value").asText());
                }
            });
            assertThat(values).as(overlay).containsExactly("dev".equals(overlay) ? "false" : "true");
        }
    }

    static List<JsonNode[]> containers(List<JsonNode> objects) {
        List<JsonNode[]> all = new ArrayList<>();
        Stream.concat(ofKind(objects, "Deployment").stream(), ofKind(objects, "Job").stream()).forEach(o -> {
            o.at("/spec/template/spec/containers").forEach(c -> all.add(new JsonNode[] {o, c}));
            o.at("/spec/template/spec/initContainers").forEach(c -> all.add(new JsonNode[] {o, c}));
        });
        return all;
    }

    static boolean selects(JsonNode selector, JsonNode labels) {
        if (selector.isMissingNode() || selector.isEmpty()) {
            return false;
        }
        var it = selector.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    static List<String> admitted(Map<String, JsonNode> podLabels, JsonNode selector) {
        return podLabels.entrySet().stream().filter(e -> selects(selector, e.getValue())).map(Map.Entry::getKey).toList();
    }
}
