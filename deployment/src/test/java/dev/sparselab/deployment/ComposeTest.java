package dev.sparselab.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml: valid for docker-compose (Debian's 1.29, which checks it against the Compose schema and
 * resolves variables, anchors and profiles without a Docker engine), and complete: every part the platform needs,
 * with health checks and start order.
 */
class ComposeTest {
    static final Set<String> APP = Set.of("gateway", "experiment-service", "trainer", "trainer-gpu",
            "evaluator-service");

    static JsonNode config(String... env) {
        Repo.Result r = Repo.run(List.of("docker-compose", "-f", "docker-compose.yml", "--profile", "gpu", "config"),
                env);
        assertThat(r.status()).as("docker-compose config: %s", r.err()).isZero();
        return Manifests.parse(r.out()).get(0);
    }

    @Test
    void isValidWithAndWithoutTheGpuProfile() {
        Repo.Result plain = Repo.run(List.of("docker-compose", "-f", "docker-compose.yml", "config", "-q"));
        assertThat(plain.status()).as(plain.err()).isZero();
        // (docker-compose 1.29 lists services of every profile; which profile a service is in is checked below)
        assertThat(config().path("services").fieldNames()).toIterable().containsExactlyInAnyOrder("secrets", "postgres",
                "kafka", "datasets", "experiment-service", "trainer", "trainer-gpu", "evaluator-service", "gateway");
    }

    @Test
    void everyPartThePlatformNeedsIsThereWithAHealthCheck() {
        JsonNode services = config().path("services");
        for (String name : List.of("postgres", "kafka", "gateway", "experiment-service", "trainer", "trainer-gpu",
                "evaluator-service")) {
            JsonNode s = services.path(name);
            assertThat(s.isMissingNode()).as(name).isFalse();
            assertThat(s.at("/healthcheck/test").size()).as(name + " health check").isGreaterThan(1);
            assertThat(s.path("restart").asText()).as(name).isEqualTo("unless-stopped");
            assertThat(s.path("image").asText()).as(name).doesNotEndWith(":latest").contains(":");
        }
        assertThat(services.at("/kafka/image").asText()).startsWith("apache/kafka:");
        assertThat(services.at("/kafka/environment/KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(services.at("/postgres/image").asText()).startsWith("postgres:");
        // the application's health checks ask Spring Boot's readiness group on each service's own port
        for (String name : APP) {
            assertThat(services.at("/" + name + "/healthcheck/test").toString()).as(name)
                    .contains("/actuator/health/readiness");
        }
    }

    @Test
    void servicesStartInOrderOnceWhatTheyNeedIsHealthy() {
        JsonNode s = config().path("services");
        assertThat(dependsOn(s, "experiment-service")).isEqualTo(Map.of("postgres", "service_healthy",
                "kafka", "service_healthy"));
        for (String worker : List.of("trainer", "trainer-gpu", "evaluator-service")) {
            assertThat(dependsOn(s, worker)).as(worker).isEqualTo(Map.of("experiment-service", "service_healthy",
                    "datasets", "service_completed_successfully"));
        }
        assertThat(dependsOn(s, "gateway")).isEqualTo(Map.of("postgres", "service_healthy",
                "experiment-service", "service_healthy"));
    }

    @Test
    void dataAndDatasetsLiveInVolumesAndOnlyTheGatewayIsPublished() {
        JsonNode root = config();
        JsonNode s = root.path("services");
        assertThat(root.path("volumes").fieldNames()).toIterable().containsExactlyInAnyOrder("postgres", "kafka",
                "datasets", "gateway", "db-secret", "internal-secret");
        assertThat(s.at("/gateway/volumes/0").toString()).contains(s.at("/gateway/environment/SPARSELAB_BOOTSTRAP_DIR").asText());
        assertThat(s.at("/postgres/volumes").toString()).contains("/var/lib/postgresql/data");
        assertThat(s.at("/kafka/volumes").toString()).contains(s.at("/kafka/environment/KAFKA_LOG_DIRS").asText());
        for (String worker : List.of("trainer", "trainer-gpu", "evaluator-service")) {
            JsonNode mount = s.at("/" + worker + "/volumes/0");
            assertThat(mount.toString()).as(worker).contains("datasets");
            assertThat(mount.toString()).contains(s.at("/" + worker + "/environment/SPARSELAB_DATASETS_DIR").asText());
        }
        List<String> published = new ArrayList<>();
        s.fields().forEachRemaining(e -> {
            if (e.getValue().has("ports")) {
                published.add(e.getKey());
            }
        });
        assertThat(published).containsExactly("gateway");
        assertThat(s.at("/gateway/ports/0").toString()).contains("8080");
    }

    @Test
    void theGpuTrainerReservesGpusBehindItsProfileAndCpuTrainersCanBeTurnedOff() {
        JsonNode s = config("SPARSELAB_CPU_TRAINERS", "0").path("services");
        assertThat(s.at("/trainer-gpu/profiles").toString()).isEqualTo("[\"gpu\"]");
        JsonNode device = s.at("/trainer-gpu/deploy/resources/reservations/devices/0");
        assertThat(device.path("driver").asText()).isEqualTo("nvidia");
        assertThat(device.path("capabilities").toString()).isEqualTo("[\"gpu\"]");
        assertThat(s.at("/trainer-gpu/build/dockerfile").asText()).isEqualTo("trainer-service/Dockerfile.cuda");
        assertThat(s.at("/trainer-gpu/image").asText()).endsWith("-cuda");
        assertThat(s.at("/trainer/deploy/replicas").asInt(-1)).isZero();
        assertThat(config().at("/services/trainer/deploy/replicas").asInt()).isEqualTo(1);
        assertThat(s.at("/trainer/profiles").isMissingNode()).isTrue();
        assertThat(s.at("/trainer/deploy").toString()).doesNotContain("nvidia");
    }

    /** Issue 20, item 7: a trainer pre-touches 40% of its memory: its container has a limit, set or defaulted. */
    @Test
    void everyTrainerHasAMemoryLimitItsHeapIsAShareOf() {
        JsonNode s = config().path("services");
        JsonNode set = config("SPARSELAB_TRAINER_MEMORY", "6g").path("services");
        for (String trainer : List.of("trainer", "trainer-gpu")) {
            assertThat(s.at("/" + trainer + "/deploy/resources/limits/memory").asText()).as(trainer).isNotEmpty();
            assertThat(bytes(s.at("/" + trainer + "/deploy/resources/limits/memory").asText())).isEqualTo(4L << 30);
            assertThat(bytes(set.at("/" + trainer + "/deploy/resources/limits/memory").asText())).isEqualTo(6L << 30);
        }
        assertThat(Repo.read("trainer-service/Dockerfile")).contains("MaxRAMPercentage=40");
    }

    /** A compose memory value in bytes: compose versions render it as given ("4g") or in bytes. */
    static long bytes(String value) {
        char unit = Character.toLowerCase(value.charAt(value.length() - 1));
        int shift = switch (unit) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> -1;
        };
        return shift < 0 ? Long.parseLong(value) : Long.parseLong(value.substring(0, value.length() - 1)) << shift;
    }

    @Test
    void everySettingAServiceGetsIsOneItReadsAndTheAddressesAreTheComposeServices() {
        JsonNode s = config().path("services");
        Map<String, String> module = Map.of("gateway", "gateway", "experiment-service", "experiment-service",
                "trainer", "trainer-service", "trainer-gpu", "trainer-service", "evaluator-service",
                "evaluator-service");
        for (String name : APP) {
            Set<String> env = new HashSet<>();
            s.at("/" + name + "/environment").fieldNames().forEachRemaining(env::add);
            ServiceSettings.assertConsumed(module.get(name), env);
            assertThat(s.at("/" + name + "/build/dockerfile").asText()).startsWith(module.get(name) + "/Dockerfile");
            JsonNode e = s.at("/" + name + "/environment");
            if (!name.equals("gateway")) {
                assertThat(e.path("SPARSELAB_KAFKA").asText())
                        .isEqualTo(s.at("/kafka/environment/KAFKA_ADVERTISED_LISTENERS").asText().replace("PLAINTEXT://", ""));
            }
            {
                assertThat(e.path("SPARSELAB_DB_URL").asText()).as(name)
                        .isEqualTo("jdbc:postgresql://postgres:5432/" + s.at("/postgres/environment/POSTGRES_DB").asText());
                assertThat(e.path("SPARSELAB_DB_USER").asText()).isEqualTo(s.at("/postgres/environment/POSTGRES_USER").asText());
                // the database password: the file postgres is given, read as a setting of the same name
                assertThat(mounts(s, name)).as(name).containsEntry("db-secret", "/run/secrets/db");
                assertThat(e.path("SPRING_CONFIG_IMPORT").asText()).as(name)
                        .contains("optional:configtree:/run/secrets/db/");
            }
        }
        assertThat(mounts(s, "postgres")).containsEntry("db-secret", "/run/secrets/db");
        assertThat(s.at("/postgres/environment/POSTGRES_PASSWORD_FILE").asText())
                .isEqualTo("/run/secrets/db/SPARSELAB_DB_PASSWORD");
        assertThat(s.at("/gateway/environment/SPARSELAB_EXPERIMENT_SERVICE").asText())
                .isEqualTo("http://experiment-service:8081");
        assertThat(s.at("/gateway/environment/SPARSELAB_KAFKA").isMissingNode()).isTrue();
    }

    /**
     * Issue 20 item 5: no secret is written in the compose file or defaulted by it — the secrets service generates
     * them (or takes them from the shell) into volumes; only the gateway and the experiment-service get the internal
     * secret (trainers and evaluators run users' specs); the secret volumes are not anyone else's.
     */
    @Test
    void theComposeFileHoldsNoSecretAndWorkersNeverGetTheInternalOne() {
        JsonNode root = config();
        JsonNode s = root.path("services");
        s.fields().forEachRemaining(service -> service.getValue().path("environment").fields().forEachRemaining(e -> {
            if (e.getKey().matches("(?i).*(password|secret|token).*") && !e.getKey().endsWith("_FILE")) {
                assertThat(e.getValue().asText()).as(service.getKey() + " " + e.getKey()).isEmpty();
            }
        }));
        // and not as a default in the file either (what the rendering above fills in when the shell sets nothing)
        assertThat(Repo.read("docker-compose.yml")).doesNotContainPattern("(?i)(PASSWORD|SECRET)[A-Z_]*:-[^}]")
                .doesNotContainPattern("(?i)change-?me");
        for (String name : List.of("gateway", "experiment-service")) {
            assertThat(mounts(s, name)).as(name).containsEntry("internal-secret", "/run/secrets/internal");
            assertThat(s.at("/" + name + "/environment/SPRING_CONFIG_IMPORT").asText())
                    .contains("optional:configtree:/run/secrets/internal/");
        }
        s.fields().forEachRemaining(service -> {
            if (!List.of("gateway", "experiment-service", "secrets").contains(service.getKey())) {
                assertThat(mounts(s, service.getKey())).as(service.getKey()).doesNotContainKey("internal-secret");
            }
        });
        assertThat(mounts(s, "secrets")).containsEntry("db-secret", "/secrets/db")
                .containsEntry("internal-secret", "/secrets/internal");
        String script = s.at("/secrets/entrypoint").toString();
        assertThat(script).contains("/dev/urandom").contains("/secrets/db/SPARSELAB_DB_PASSWORD")
                .contains("/secrets/internal/SPARSELAB_INTERNAL_SECRET");
        assertThat(dependsOn(s, "postgres")).isEqualTo(Map.of("secrets", "service_completed_successfully"));
    }

    /** Issue 20 item 9: nothing of the host is mounted unless asked for (override file); a mirror can be given. */
    @Test
    void theDatasetsAreDownloadedUnlessTheHostFolderIsAskedFor() {
        JsonNode datasets = config("FASHION_MNIST_URL", "http://mirror.lab/fashion").at("/services/datasets");
        assertThat(datasets.path("volumes").toString()).doesNotContain("/usr/share").doesNotContain("/source");
        assertThat(datasets.at("/environment/FASHION_MNIST_URL").asText()).isEqualTo("http://mirror.lab/fashion");
        Repo.Result r = Repo.run(List.of("docker-compose", "-f", "docker-compose.yml", "-f",
                "docker-compose.host-datasets.yml", "config"), "SPARSELAB_DATASETS_SOURCE", "/srv/fmnist");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode withHost = Manifests.parse(r.out()).get(0).at("/services/datasets");
        assertThat(withHost.path("volumes").toString()).contains("/srv/fmnist").contains("/source");
        assertThat(withHost.at("/environment/SOURCE_DIR").asText()).isEqualTo("/source");
    }

    /** A service's named volumes: volume name to where it is mounted. */
    static Map<String, String> mounts(JsonNode services, String name) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (JsonNode v : services.at("/" + name + "/volumes")) {
            if (v.isTextual()) {
                String[] parts = v.asText().split(":");
                out.put(parts[0], parts[1]);
            } else {
                out.put(v.path("source").asText(), v.path("target").asText());
            }
        }
        return out;
    }

    static Map<String, String> dependsOn(JsonNode services, String name) {
        Map<String, String> out = new java.util.TreeMap<>();
        services.at("/" + name + "/depends_on").fields().forEachRemaining(e ->
                out.put(e.getKey(), e.getValue().path("condition").asText()));
        return out;
    }
}
