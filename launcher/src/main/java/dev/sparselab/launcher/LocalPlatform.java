package dev.sparselab.launcher;

import dev.sparselab.evaluator.EvaluatorServiceApplication;
import dev.sparselab.experiment.ExperimentServiceApplication;
import dev.sparselab.gateway.GatewayApplication;
import dev.sparselab.trainer.TrainerServiceApplication;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole platform in one JVM: embedded PostgreSQL (real binaries, data kept under the data
 * directory), a KRaft Kafka broker, and the experiment-service, trainer-service, evaluator-service and
 * gateway, each as its own Spring application context with its own port and configuration file,
 * talking to each other only over HTTP, Kafka and PostgreSQL as they do when deployed apart.
 */
public final class LocalPlatform implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalPlatform.class);

    /**
     * How to start.
     *
     * @param dataDir             holds {@code postgres/} and {@code kafka/}; kept between starts
     * @param gatewayPort         the public port (0 = any free port)
     * @param kafkaPort           Kafka client port (0 = any free port)
     * @param postgresPort        PostgreSQL port (0 = any free port)
     * @param datasetsDir         the folder that holds {@code fashion-mnist/}
     * @param requestedPartitions partitions of the run queue
     * @param trainers            0: one trainer inside this JVM; n &gt; 0: n trainer processes (one JVM each)
     * @param extraArgs           further arguments for every service (e.g. scheduler settings)
     */
    public record Options(Path dataDir, int gatewayPort, int kafkaPort, int postgresPort, Path datasetsDir,
                          int requestedPartitions, int trainers, List<String> extraArgs) {
        public Options(Path dataDir, int gatewayPort, int kafkaPort, int postgresPort, Path datasetsDir,
                       int requestedPartitions) {
            this(dataDir, gatewayPort, kafkaPort, postgresPort, datasetsDir, requestedPartitions, 0, List.of());
        }
    }

    private EmbeddedPostgres postgres;
    private KraftBroker kafka;
    private final List<ConfigurableApplicationContext> contexts;
    private final int gatewayPort;
    private final List<TrainerProcess> trainerProcesses;
    private final Options options;

    private LocalPlatform(EmbeddedPostgres postgres, KraftBroker kafka, List<ConfigurableApplicationContext> contexts,
                          int gatewayPort, List<TrainerProcess> trainerProcesses, Options options) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.contexts = contexts;
        this.gatewayPort = gatewayPort;
        this.trainerProcesses = trainerProcesses;
        this.options = options;
    }

    public static LocalPlatform start(Options o) throws Exception {
        Files.createDirectories(o.dataDir());
        EmbeddedPostgres.Builder pgBuilder = EmbeddedPostgres.builder()
                .setDataDirectory(o.dataDir().resolve("postgres"))
                .setCleanDataDirectory(false);
        if (o.postgresPort() > 0) {
            pgBuilder.setPort(o.postgresPort());
        }
        // PostgreSQL (a child process) and the broker start side by side: start-up waits for the slower only
        long t0 = System.nanoTime();
        int kafkaPort = port(o.kafkaPort());
        int controllerPort = freePort();
        java.util.concurrent.CompletableFuture<KraftBroker> kafkaStarting = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> {
                    try {
                        return KraftBroker.start(o.dataDir().resolve("kafka"), kafkaPort, controllerPort, 4);
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
        EmbeddedPostgres postgres;
        try {
            postgres = pgBuilder.start();
        } catch (IOException | RuntimeException e) {
            kafkaStarting.thenAccept(KraftBroker::close);
            throw e;
        }
        log.info("PostgreSQL ready after {} ms", (System.nanoTime() - t0) / 1_000_000);
        KraftBroker kafka = null;
        List<ConfigurableApplicationContext> contexts = Collections.synchronizedList(new ArrayList<>());
        List<TrainerProcess> processes = new ArrayList<>();
        java.util.concurrent.ExecutorService starter = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sparselab-start");
            t.setDaemon(true);
            return t;
        });
        try {
            List<String> database = List.of(
                    "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                    "--spring.datasource.username=postgres",
                    "--spring.datasource.password=postgres",
                    "--spring.main.banner-mode=off",
                    // what the gateway and the experiment-service share (a new one at every start)
                    "--sparselab.internal-secret=" + internalSecret());
            List<String> common = new ArrayList<>(database);
            // the broker may still be starting: the services' Kafka clients wait for it (the experiment-service
            // creates its topics once it answers), so their start overlaps the broker's
            common.add("--spring.kafka.bootstrap-servers=127.0.0.1:" + kafkaPort);
            // one JVM shares one classpath: keep the gateway's web security and sessions to the gateway
            common.add("--spring.autoconfigure.exclude=" + String.join(",", GATEWAY_ONLY));
            common.addAll(o.extraArgs());
            ConfigurableApplicationContext experiment = run(ExperimentServiceApplication.builder(), common,
                    // reached by the gateway in this JVM only: loopback; its actuator is not served here
                    "--server.port=0", "--server.address=127.0.0.1", "--management.server.port=-1",
                    "--sparselab.experiment.requested-partitions=" + o.requestedPartitions());
            contexts.add(experiment);
            int experimentPort = Integer.parseInt(experiment.getEnvironment().getProperty("local.server.port"));
            // the experiment-service has migrated the database: the other services start side by side (the
            // trainer and evaluator on a thread of their own while the gateway starts here); logging was set up by
            // the first service (Spring Boot leaves an initialized logback alone)
            java.util.concurrent.Future<?> workers = starter.submit(() -> {
                if (o.trainers() == 0) {
                    contexts.add(run(TrainerServiceApplication.builder(), common, "--server.port=0",
                            "--server.address=127.0.0.1",
                            "--springdoc.api-docs.enabled=false",
                            "--sparselab.trainer.datasets-dir=" + o.datasetsDir()));
                }
                contexts.add(run(EvaluatorServiceApplication.builder(), common, "--server.port=0",
                        "--server.address=127.0.0.1",
                        "--springdoc.api-docs.enabled=false",
                        "--sparselab.evaluator.datasets-dir=" + o.datasetsDir()));
                return null;
            });
            for (int i = 1; i <= o.trainers(); i++) {
                List<String> args = new ArrayList<>(common);
                args.addAll(List.of("--server.port=0", "--server.address=127.0.0.1", "--springdoc.api-docs.enabled=false",
                        "--sparselab.trainer.datasets-dir=" + o.datasetsDir()));
                processes.add(TrainerProcess.start("trainer-" + i, args, o.dataDir().resolve("logs")));
            }
            List<String> gatewayArgs = new ArrayList<>(database);
            gatewayArgs.addAll(o.extraArgs());
            ConfigurableApplicationContext gateway = run(GatewayApplication.builder(), gatewayArgs,
                    // one JVM shares one classpath: keep the gateway off Kafka
                    "--spring.autoconfigure.exclude=org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
                    // the first administrator and their token, written to the data folder (mode 0600)
                    "--sparselab.auth.bootstrap-dir=" + o.dataDir().toAbsolutePath(),
                    // one machine, one researcher and their scripts: a rate limit well above a cluster's default
                    "--sparselab.gateway.limits.requests-per-minute=" + LOCAL_REQUESTS_PER_MINUTE,
                    "--server.port=" + o.gatewayPort(),
                    "--sparselab.gateway.experiment-service=http://127.0.0.1:" + experimentPort);
            contexts.add(gateway);
            int gatewayPort = Integer.parseInt(gateway.getEnvironment().getProperty("local.server.port"));
            try {
                workers.get();
                kafka = kafkaStarting.join();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            log.info("platform started in {} ms", (System.nanoTime() - t0) / 1_000_000);
            // the experiment-service first (the others' order does not matter): close() stops them in reverse
            List<ConfigurableApplicationContext> ordered = new ArrayList<>(contexts);
            return new LocalPlatform(postgres, kafka, ordered, gatewayPort, processes, o);
        } catch (Exception | Error e) {
            starter.shutdownNow();
            try {
                starter.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES); // its contexts, then close all
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            if (kafka == null) {
                kafkaStarting.whenComplete((broker, failure) -> {
                    if (broker != null) {
                        broker.close();
                    }
                });
            }
            new LocalPlatform(postgres, kafka, new ArrayList<>(contexts), 0, processes, o).close();
            throw e;
        } finally {
            starter.shutdown();
        }
    }

    /** The default rate limit of a token in local mode (a shared service's default is 600). */
    static final int LOCAL_REQUESTS_PER_MINUTE = 6000;

    /** Auto-configurations only the gateway uses (web security, sessions). */
    static final List<String> GATEWAY_ONLY = List.of(
            "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
            "org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet."
                    + "OAuth2ResourceServerAutoConfiguration",
            "org.springframework.boot.session.autoconfigure.SessionAutoConfiguration",
            "org.springframework.boot.session.jdbc.autoconfigure.JdbcSessionAutoConfiguration");

    /** SPARSELAB_INTERNAL_SECRET, or a random one for this start. */
    static String internalSecret() {
        String configured = System.getenv("SPARSELAB_INTERNAL_SECRET");
        if (configured != null && configured.length() >= 16) {
            return configured;
        }
        byte[] random = new byte[24];
        new java.security.SecureRandom().nextBytes(random);
        return java.util.HexFormat.of().formatHex(random);
    }

    /** The API token of user {@code admin}, created at the first start (file {@code admin-token}, mode 0600). */
    public String adminToken() {
        return readPrivate("admin-token");
    }

    /** The web UI password of user {@code admin}, created at the first start. */
    public String adminPassword() {
        return readPrivate("admin-password");
    }

    private String readPrivate(String file) {
        try {
            return Files.readString(options.dataDir().resolve(file)).strip();
        } catch (IOException e) {
            throw new IllegalStateException("no " + file + " in " + options.dataDir(), e);
        }
    }

    private static ConfigurableApplicationContext run(SpringApplicationBuilder builder, List<String> common,
                                                      String... args) {
        List<String> all = new ArrayList<>(common);
        Collections.addAll(all, args);
        return builder.run(all.toArray(String[]::new));
    }

    public int gatewayPort() {
        return gatewayPort;
    }

    public String baseUrl() {
        return "http://localhost:" + gatewayPort;
    }

    public String postgresUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    public javax.sql.DataSource dataSource() {
        return postgres.getPostgresDatabase();
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The trainer processes (empty when the trainer runs inside this JVM). */
    public List<TrainerProcess> trainerProcesses() {
        return trainerProcesses;
    }

    /**
     * The experiment-service's consumer of run events (for tests that hold them back: pause it, and wait for
     * {@code isContainerPaused()} before relying on it).
     */
    public org.springframework.kafka.listener.MessageListenerContainer runEventsConsumer() {
        return contexts.get(0).getBean(org.springframework.kafka.config.KafkaListenerEndpointRegistry.class)
                .getListenerContainer(dev.sparselab.experiment.events.EventListeners.RUN_EVENTS);
    }

    /** Stops the Kafka broker (as an outage would); {@link #restartKafka} brings it back on the same port and logs. */
    public synchronized void stopKafka() {
        kafka.close();
    }

    /** Stops PostgreSQL (as an outage would); {@link #restartPostgres} brings it back on the same port and data. */
    public synchronized void stopPostgres() throws IOException {
        postgres.close();
    }

    public synchronized void restartPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().setDataDirectory(options.dataDir().resolve("postgres"))
                .setCleanDataDirectory(false).setPort(postgres.getPort()).start();
    }

    public synchronized void restartKafka() throws Exception {
        kafka = KraftBroker.start(options.dataDir().resolve("kafka"), kafka.port(), kafka.controllerPort(), 4);
    }

    @Override
    public void close() {
        trainerProcesses.forEach(TrainerProcess::terminate); // all at once, then wait for each
        trainerProcesses.forEach(TrainerProcess::close);
        List<ConfigurableApplicationContext> reversed = new ArrayList<>(contexts);
        Collections.reverse(reversed);
        for (ConfigurableApplicationContext c : reversed) {
            try {
                c.close();
            } catch (RuntimeException e) {
                log.warn("closing {} failed", c.getId(), e);
            }
        }
        if (kafka != null) {
            kafka.close();
        }
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("stopping PostgreSQL failed", e);
        }
    }

    private static int port(int requested) throws IOException {
        return requested > 0 ? requested : freePort();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
