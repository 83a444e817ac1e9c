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
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The services as docker-compose.yml runs them, without a Docker engine: each service's executable jar in a
 * JVM of its own, with exactly the environment docker-compose gives its container (host names rewritten to
 * this machine's ports, the datasets volume replaced by the folder it is filled from), against a real
 * PostgreSQL (its own server process, on a fixed port and data folder, so it can be killed and started again)
 * and a real KRaft broker, in this JVM or in a process of its own. Used by {@link ComposeServicesIT} and
 * {@link ChaosIT}.
 */
final class ComposeServices implements AutoCloseable {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DATASETS = Path.of(System.getProperty("sparselab.datasets.dir", "/usr/share/datasets"));

    final Path dir;
    final JsonNode services;
    private EmbeddedPostgres postgres;
    private final int postgresPort = LocalPlatform.freePort();
    private KraftBroker kafka;
    private Process kafkaProcess;
    private final int kafkaPort = LocalPlatform.freePort();
    private final int controllerPort = LocalPlatform.freePort();
    /** Settings an operator adds to a compose service's environment (e.g. JSON logs), by service. */
    private final Map<String, Map<String, String>> operatorEnv = new LinkedHashMap<>();
    /** Instance name → its compose service and module, port and process. */
    private final Map<String, Instance> instances = new LinkedHashMap<>();

    private record Instance(String service, String module, int port, int managementPort, Process process) {
    }

    /**
     * Starts PostgreSQL (with the compose file's database and user) and Kafka; in its own process when
     * {@code brokerProcess}, so that it can be killed.
     */
    ComposeServices(Path dir, boolean brokerProcess) throws Exception {
        this.dir = dir;
        this.services = composeConfig().get("services");
        writeSecrets();
        startPostgres();
        JsonNode pgEnv = services.get("postgres").get("environment");
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create role " + pgEnv.get("POSTGRES_USER").asString() + " login password '"
                    + databasePassword() + "'");
            s.execute("create database " + pgEnv.get("POSTGRES_DB").asString() + " owner "
                    + pgEnv.get("POSTGRES_USER").asString());
        }
        if (brokerProcess) {
            startBrokerProcess();
        } else {
            kafka = KraftBroker.start(dir.resolve("kafka"), kafkaPort, controllerPort, 4);
        }
    }

    /**
     * What the compose file's one-shot {@code secrets} service does on a first start: a random database password and
     * internal secret, each a file in the folder that stands for its volume (mounted where {@link #local} maps
     * {@code /run/secrets/}).
     */
    private void writeSecrets() throws IOException {
        java.security.SecureRandom random = new java.security.SecureRandom();
        for (String file : List.of("db/SPARSELAB_DB_PASSWORD", "internal/SPARSELAB_INTERNAL_SECRET")) {
            Path f = dir.resolve("secrets").resolve(file);
            if (!Files.exists(f)) {
                byte[] bytes = new byte[32];
                random.nextBytes(bytes);
                Files.createDirectories(f.getParent());
                Files.writeString(f, java.util.HexFormat.of().formatHex(bytes));
            }
        }
    }

    /** The database password: the file postgres reads through POSTGRES_PASSWORD_FILE. */
    private String databasePassword() throws IOException {
        String file = services.get("postgres").get("environment").get("POSTGRES_PASSWORD_FILE").asString();
        return Files.readString(Path.of(local(file)));
    }

    static JsonNode composeConfig() throws Exception {
        Process p = new ProcessBuilder("docker-compose", "-f", "docker-compose.yml", "config")
                .directory(ROOT.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("docker-compose config (Debian's docker-compose; ./sparselab test installs it)")
                .isZero();
        return YAMLMapper.builder().build().readTree(out);
    }

    /** A JDBC data source on the platform's database (as the compose file's user). */
    javax.sql.DataSource dataSource() {
        JsonNode pgEnv = services.get("postgres").get("environment");
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setURL("jdbc:postgresql://localhost:" + postgresPort + "/" + pgEnv.get("POSTGRES_DB").asString());
        ds.setUser(pgEnv.get("POSTGRES_USER").asString());
        try {
            ds.setPassword(databasePassword());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ds.setConnectTimeout(2);
        ds.setSocketTimeout(30);
        return ds;
    }

    private void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(false)
                .setPort(postgresPort).start();
    }

    /** Kills PostgreSQL's server process at once (SIGKILL), as when its machine dies. */
    void killPostgres() throws Exception {
        long pid = Long.parseLong(Files.readAllLines(dir.resolve("pg/postmaster.pid")).get(0).strip());
        signal(pid, "KILL");
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
        // lets go of the data folder's lock (pg_ctl stop finds no server, which is logged, not thrown)
        postgres.close();
    }

    /** Starts PostgreSQL again on its port and data (crash recovery), retrying while the old backends exit. */
    void restartPostgres() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            try {
                startPostgres();
                return;
            } catch (IOException | RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private void startBrokerProcess() throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), KraftBroker.class.getName(),
                dir.resolve("kafka").toString(), Integer.toString(kafkaPort), Integer.toString(controllerPort), "4");
        kafkaProcess = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("kafka.log").toFile())).start();
        awaitPort(kafkaPort, "kafka");
    }

    /** Kills the broker process (SIGKILL). */
    void killBroker() throws InterruptedException {
        kafkaProcess.destroyForcibly();
        kafkaProcess.waitFor(30, TimeUnit.SECONDS);
    }

    void restartBroker() throws IOException {
        startBrokerProcess();
    }

    /** Rewrites the compose network's addresses and the volume's mount point to this machine's. */
    String local(String value) {
        return value.replace("postgres:5432", "localhost:" + postgresPort)
                .replace("kafka:9092", "localhost:" + kafkaPort)
                .replace("experiment-service:8081", "localhost:" + port("experiment-service"))
                .replace("/datasets", DATASETS.toString())
                .replace("/var/lib/sparselab", dir.resolve("gateway-volume").toString())
                .replace("/run/secrets/", dir.resolve("secrets") + "/");
    }

    /** Adds a setting to a service's environment, as an operator's override file would (before it starts). */
    void withEnv(String service, String name, String value) {
        operatorEnv.computeIfAbsent(service, k -> new LinkedHashMap<>()).put(name, value);
    }

    /** Starts an instance of a compose service (on a free port; several instances of one service may run). */
    void start(String instance, String service, String module) throws IOException {
        int port = instances.containsKey(instance) ? instances.get(instance).port() : LocalPlatform.freePort();
        int management = instances.containsKey(instance) ? instances.get(instance).managementPort()
                : LocalPlatform.freePort();
        instances.put(instance, new Instance(service, module, port, management, null));
        JsonNode s = services.get(service);
        assertThat(s.get("build").get("dockerfile").asString()).isEqualTo(module + "/Dockerfile");
        Path jar;
        try (var files = Files.list(ROOT.resolve(module).resolve("target"))) {
            jar = files.filter(f -> f.getFileName().toString().endsWith("-exec.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no executable jar of " + module + " (mvn package first)"));
        }
        // the container's command (JarLauncher over the jar's layers is java -jar), with small heaps for 2 cores
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(instance + ".log").toFile()));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SPARSELAB_") || k.startsWith("SPRING_") || k.equals("PORT"));
        s.get("environment").properties().forEach(e -> env.put(e.getKey(), local(e.getValue().asString())));
        env.put("PORT", String.valueOf(port)); // the image's ENV PORT, on a free port here
        // the experiment-service's actuator port (its yaml's default, 9081, on the container's loopback): a free one
        env.put("SPARSELAB_MANAGEMENT_PORT", String.valueOf(management));
        env.put("DJL_OFFLINE", "true"); // the image's ENV, for the services that train or evaluate
        env.putAll(operatorEnv.getOrDefault(service, Map.of()));
        if (service.equals("trainer")) {
            env.put("SPARSELAB_TRAINER_NAME", instance); // the pod's name on Kubernetes
        }
        instances.put(instance, new Instance(service, module, port, management, pb.start()));
    }

    /**
     * Starts the four services in compose's order (the experiment-service, which creates the topics, before its
     * dependents), with the trainer instances named, and waits until each is ready.
     */
    void startAll(String... trainers) throws Exception {
        start("experiment-service", "experiment-service", "experiment-service");
        awaitReady("experiment-service");
        for (String trainer : trainers) {
            start(trainer, "trainer", "trainer-service");
        }
        start("evaluator-service", "evaluator-service", "evaluator-service");
        start("gateway", "gateway", "gateway");
        for (String trainer : trainers) {
            awaitReady(trainer);
        }
        awaitReady("evaluator-service");
        awaitReady("gateway");
    }

    /** The instance's actuator port when it has one of its own (the experiment-service's), else its port. */
    int managementPort(String instance) {
        String check = services.get(instances.get(instance).service()).get("healthcheck").get("test").toString();
        return ownManagementPort(check) ? instances.get(instance).managementPort() : port(instance);
    }

    /** Whether a compose health check asks the actuator's own port (9080 or 9081, on the container's loopback). */
    private static boolean ownManagementPort(String check) {
        return check.contains("127.0.0.1:9080/") || check.contains("127.0.0.1:9081/");
    }

    int port(String instance) {
        Instance i = instances.get(instance);
        return i == null ? 0 : i.port();
    }

    /** Kills an instance at once (SIGKILL). */
    void kill(String instance) throws InterruptedException {
        Process p = instances.get(instance).process();
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    /** Starts a killed instance again, on the same port. */
    void restart(String instance) throws IOException {
        Instance i = instances.get(instance);
        start(instance, i.service(), i.module());
    }

    boolean isAlive(String instance) {
        return instances.get(instance).process().isAlive();
    }

    /** Polls the URL the service's compose health check asks, until it answers 200 (or 4 minutes pass). */
    void awaitReady(String instance) throws Exception {
        String check = services.get(instances.get(instance).service()).get("healthcheck").get("test").toString();
        assertThat(check).contains("/actuator/health/readiness");
        // the port the check asks: the service's own, or its actuator's (the gateway's 9080, the experiment-service's 9081)
        int asked = ownManagementPort(check) ? instances.get(instance).managementPort() : port(instance);
        URI uri = URI.create("http://localhost:" + asked + "/actuator/health/readiness");
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
            if (!isAlive(instance)) {
                break;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(instance + " not ready; log:\n" + Files.readString(dir.resolve(instance + ".log")));
    }

    private static void awaitPort(int port, String what) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException(ie);
                }
            }
        }
        throw new IOException(what + " is not listening on " + port);
    }

    static void signal(long pid, String name) throws IOException, InterruptedException {
        if (new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor() != 0) {
            throw new IOException("kill -" + name + " " + pid + " failed");
        }
    }

    /** What the gateway wrote into its volume on first start (compose: SPARSELAB_BOOTSTRAP_DIR). */
    String adminToken() throws IOException {
        Path token = dir.resolve("gateway-volume/admin-token");
        assertThat(Files.getPosixFilePermissions(token))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        return Files.readString(token).strip();
    }

    @Override
    public void close() throws Exception {
        for (Instance i : instances.values()) {
            if (i.process() != null) {
                i.process().destroy();
            }
        }
        for (Instance i : instances.values()) {
            if (i.process() != null && !i.process().waitFor(30, TimeUnit.SECONDS)) {
                i.process().destroyForcibly();
            }
        }
        if (kafka != null) {
            kafka.close();
        }
        if (kafkaProcess != null) {
            kafkaProcess.destroy();
            if (!kafkaProcess.waitFor(30, TimeUnit.SECONDS)) {
                kafkaProcess.destroyForcibly();
            }
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException | RuntimeException e) {
                // killed and not restarted
            }
        }
    }
}
