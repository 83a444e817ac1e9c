package dev.sparselab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The services as docker-compose.yml runs them, without a Docker engine: each service's executable jar in a JVM of
 * its own, with exactly the environment docker-compose gives its container (host names rewritten to this
 * machine's ports, the datasets volume replaced by the folder it is filled from), against a real PostgreSQL and
 * Kafka. They must become ready on the health URL the compose health checks ask, and train and evaluate a run
 * submitted through the gateway. So the settings the deployments pass are the ones the services read.
 */
class ComposeServicesIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DATASETS = Path.of(System.getProperty("sparselab.datasets.dir", "/usr/share/datasets"));

    @TempDir
    static Path dir;
    static EmbeddedPostgres postgres;
    static KraftBroker kafka;
    static final List<Process> processes = new ArrayList<>();
    static final Map<String, Integer> ports = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        JsonNode services = composeConfig().get("services");
        postgres = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).start();
        JsonNode pgEnv = services.get("postgres").get("environment");
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create role " + pgEnv.get("POSTGRES_USER").asString() + " login password '"
                    + pgEnv.get("POSTGRES_PASSWORD").asString() + "'");
            s.execute("create database " + pgEnv.get("POSTGRES_DB").asString() + " owner "
                    + pgEnv.get("POSTGRES_USER").asString());
        }
        kafka = KraftBroker.start(dir.resolve("kafka"), LocalPlatform.freePort(), LocalPlatform.freePort(), 4);
        for (String name : List.of("experiment-service", "trainer", "evaluator-service", "gateway")) {
            ports.put(name, LocalPlatform.freePort());
        }
        // in compose's start order: the experiment-service (creates the topics) before its dependents
        startService("experiment-service", "experiment-service", services);
        awaitReady("experiment-service", services);
        startService("trainer", "trainer-service", services);
        startService("evaluator-service", "evaluator-service", services);
        startService("gateway", "gateway", services);
        for (String name : List.of("trainer", "evaluator-service", "gateway")) {
            awaitReady(name, services);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        processes.forEach(Process::destroy);
        for (Process p : processes) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    static JsonNode composeConfig() throws Exception {
        Process p = new ProcessBuilder("docker-compose", "-f", "docker-compose.yml", "config")
                .directory(ROOT.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("docker-compose config (Debian's docker-compose, installed by .ci/run)").isZero();
        return YAMLMapper.builder().build().readTree(out);
    }

    /** Rewrites the compose network's addresses and the volume's mount point to this machine's. */
    static String local(String value) {
        return value.replace("postgres:5432", "localhost:" + postgres.getPort())
                .replace("kafka:9092", "localhost:" + kafka.port())
                .replace("experiment-service:8081", "localhost:" + ports.get("experiment-service"))
                .replace("/datasets", DATASETS.toString())
                .replace("/var/lib/sparselab", dir.resolve("gateway-volume").toString());
    }

    static void startService(String name, String module, JsonNode services) throws IOException {
        JsonNode service = services.get(name);
        assertThat(service.get("build").get("dockerfile").asString()).isEqualTo(module + "/Dockerfile");
        Path jar;
        try (var files = Files.list(ROOT.resolve(module).resolve("target"))) {
            jar = files.filter(f -> f.getFileName().toString().endsWith("-exec.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no executable jar of " + module + " (mvn package first)"));
        }
        // the container's command (JarLauncher over the jar's layers is java -jar), with small heaps for 2 cores
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SPARSELAB_") || k.startsWith("SPRING_") || k.equals("PORT"));
        service.get("environment").properties().forEach(e -> env.put(e.getKey(), local(e.getValue().asString())));
        env.put("PORT", String.valueOf(ports.get(name))); // the image's ENV PORT, on a free port here
        env.put("DJL_OFFLINE", "true"); // the image's ENV, for the services that train or evaluate
        processes.add(pb.start());
    }

    /** Polls the URL the service's compose health check asks, until it answers 200 (or 4 minutes pass). */
    static void awaitReady(String name, JsonNode services) throws Exception {
        String check = services.get(name).get("healthcheck").get("test").toString();
        assertThat(check).contains("/actuator/health/readiness");
        URI uri = URI.create("http://localhost:" + ports.get(name) + "/actuator/health/readiness");
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError(name + " not ready; log:\n" + Files.readString(dir.resolve(name + ".log")));
    }

    /** What the gateway wrote into its volume on first start (compose: SPARSELAB_BOOTSTRAP_DIR). */
    static String adminToken() throws IOException {
        Path token = dir.resolve("gateway-volume/admin-token");
        assertThat(Files.getPosixFilePermissions(token))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        return Files.readString(token).strip();
    }

    @Test
    void aRunSubmittedThroughTheGatewayIsTrainedAndEvaluated() throws Exception {
        Api api = new Api("http://localhost:" + ports.get("gateway"), adminToken());
        String runId = api.submitRun(PlatformIT.spec("compose services", "synthetic", "[32]", 1, 0.05,
                "{\"method\": \"magnitude\", \"target\": 0.5}"));
        JsonNode run = api.awaitRun(runId, Duration.ofMinutes(3));
        assertThat(run.get("status").asString()).as("run %s", run).isEqualTo("SUCCEEDED");
        assertThat(run.get("evaluation").get("sparsity").asDouble()).isBetween(0.499, 0.501);
        assertThat(run.get("evaluation").get("testAccuracy").asDouble()).isGreaterThan(0.5);
    }

    @Test
    void fashionMnistIsReadFromTheDatasetsFolderTheComposeFileGives() throws Exception {
        Api api = new Api("http://localhost:" + ports.get("gateway"), adminToken());
        String runId = api.submitRun(PlatformIT.spec("compose fashion-mnist", "fashion-mnist", "[32]", 1, 0.05,
                "{\"method\": \"dense\"}"));
        JsonNode run = api.awaitRun(runId, Duration.ofMinutes(4));
        assertThat(run.get("status").asString()).as("run %s", run).isEqualTo("SUCCEEDED");
        assertThat(run.get("evaluation").get("testAccuracy").asDouble()).isGreaterThan(0.7);
    }
}
