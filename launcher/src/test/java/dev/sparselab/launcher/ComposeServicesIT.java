package dev.sparselab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The services as docker-compose.yml runs them, without a Docker engine ({@link ComposeServices}): each
 * service's executable jar in a JVM of its own, with exactly the environment docker-compose gives its container,
 * against a real PostgreSQL and Kafka. They must become ready on the health URL the compose health checks ask,
 * and train and evaluate a run submitted through the gateway. So the settings the deployments pass are the ones
 * the services read.
 */
class ComposeServicesIT {
    @TempDir
    static Path dir;
    static ComposeServices compose;
    static OtlpReceiver otlp;

    @BeforeAll
    static void start() throws Exception {
        compose = new ComposeServices(dir, false);
        // an operator's choice: spans exported over OTLP to a collector (here, the test's receiver), quickly
        otlp = new OtlpReceiver();
        for (String service : List.of("gateway", "experiment-service", "trainer", "evaluator-service")) {
            compose.withEnv(service, "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT", otlp.endpoint());
            compose.withEnv(service, "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_SCHEDULE_DELAY", "200ms");
        }
        // an operator's choice: the evaluator logs JSON (Spring Boot's structured logging, ECS)
        compose.withEnv("evaluator-service", "LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs");
        compose.startAll("trainer");
    }

    @AfterAll
    static void stop() throws Exception {
        if (compose != null) {
            compose.close();
        }
        if (otlp != null) {
            otlp.close();
        }
    }

    @Test
    void aRunSubmittedThroughTheGatewayIsTrainedAndEvaluated() throws Exception {
        Api api = new Api("http://localhost:" + compose.port("gateway"), compose.adminToken());
        String runId = api.submitRun(PlatformIT.spec("compose services", "synthetic", "[32]", 1, 0.05,
                "{\"method\": \"magnitude\", \"target\": 0.5}"));
        JsonNode run = api.awaitRun(runId, Duration.ofMinutes(3));
        assertThat(run.get("status").asString()).as("run %s", run).isEqualTo("SUCCEEDED");
        assertThat(run.get("evaluation").get("sparsity").asDouble()).isBetween(0.499, 0.501);
        assertThat(run.get("evaluation").get("testAccuracy").asDouble()).isGreaterThan(0.5);

        // issue 21: each service's Prometheus endpoint (the experiment-service's on its management port) shows the
        // run that went through: the platform's state, the trainer's steps and the evaluator's timings
        awaitSeries("experiment-service", "sparselab_runs{status=\"SUCCEEDED\"}", v -> v >= 1);
        String experiment = scrape("experiment-service");
        assertThat(experiment).contains("sparselab_queue_runs{state=\"held\"}").contains("sparselab_outbox_backlog")
                .contains("sparselab_trainers_busy").contains("http_server_requests_seconds_count")
                .contains("kafka_consumer_fetch_manager_records_lag_max");
        awaitSeries("trainer", "sparselab_trainer_steps_total", v -> v > 0);
        awaitSeries("trainer", "sparselab_trainer_runs_total{outcome=\"ended\"}", v -> v >= 1);
        assertThat(value(scrape("trainer"), "sparselab_trainer_metric_points_total")).isPositive();
        assertThat(value(scrape("trainer"), "sparselab_trainer_samples_per_second")).isPositive();
        awaitSeries("evaluator-service", "sparselab_evaluation_seconds_count{outcome=\"done\"}", v -> v >= 1);
        // the gateway: its actuator's own port (the image's 9080) has the edge's HTTP series; the public port serves
        // no metrics to anyone without a login
        awaitSeries("gateway", "http_server_requests_seconds_count", v -> v > 0);
        assertThat(compose.managementPort("gateway")).isNotEqualTo(compose.port("gateway"));
        java.net.http.HttpResponse<String> open = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + compose.port("gateway")
                        + "/actuator/prometheus")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(open.statusCode()).isIn(401, 404);

        // issue 21: JSON logs as an option — every line the evaluator wrote once Spring's logging was up is an ECS
        // JSON object, and the evaluation of this run is among them with its level and logger
        List<String> lines = java.nio.file.Files.readAllLines(dir.resolve("evaluator-service.log")).stream()
                .dropWhile(l -> !l.startsWith("{")).toList();
        assertThat(lines).isNotEmpty();
        List<JsonNode> events = new java.util.ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("{")) {
                events.add(Api.JSON.readTree(line));
            }
        }
        assertThat(events).allSatisfy(e -> assertThat(e.has("@timestamp") && e.has("message")
                && (e.has("log.level") || e.at("/log/level").isString()))
                .as(e.toString()).isTrue());
        assertThat(events).anySatisfy(e -> assertThat(e.path("message").asString()).contains("run " + runId
                + " evaluated"));
    }

    static String scrape(String instance) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:"
                        + compose.managementPort(instance) + "/actuator/prometheus")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(instance + " /actuator/prometheus").isEqualTo(200);
        return r.body();
    }

    /** The sum of the series whose lines start with {@code series} (name and labels), or NaN when none. */
    static double value(String exposition, String series) {
        String open = series.endsWith("}") ? series.substring(0, series.length() - 1) : series;
        double sum = Double.NaN;
        for (String line : exposition.lines().toList()) {
            if (line.startsWith(open) && (line.charAt(open.length()) == ' ' || line.charAt(open.length()) == '{'
                    || line.charAt(open.length()) == ',' || series.endsWith("}"))) {
                double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                sum = Double.isNaN(sum) ? v : sum + v;
            }
        }
        return sum;
    }

    /**
     * Waits (60 s at most: the experiment-service refreshes its gauges every 5 s; a run reports its throughput at the
     * end of its first epoch) for a series to satisfy a test.
     */
    static void awaitSeries(String instance, String series, java.util.function.DoublePredicate ok) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        double last = Double.NaN;
        while (System.nanoTime() < deadline) {
            last = value(scrape(instance), series);
            if (!Double.isNaN(last) && ok.test(last)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(instance + ": " + series + " is " + last + "\n" + scrape(instance).lines()
                .filter(l -> l.startsWith("sparselab")).toList());
    }

    /**
     * Issue 21: one trace from the submit to the evaluation. The client starts it (its own W3C traceparent); the
     * gateway, the experiment-service (HTTP, then its outbox relay), the trainer (the request's consumer, the training,
     * the run's events) and the evaluator (the completion's consumer, its result) all report spans of that trace.
     */
    @Test
    void aTraceSpansEveryServiceFromSubmitToEvaluation() throws Exception {
        String traceId = java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(16));
        String traceparent = "00-" + traceId + "-" + java.util.HexFormat.of().formatHex(
                java.security.SecureRandom.getSeed(8)) + "-01";
        java.net.http.HttpResponse<String> submitted = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + compose.port("gateway")
                                + "/api/v1/experiments"))
                        .header("Authorization", "Bearer " + compose.adminToken())
                        .header("Content-Type", "application/json").header("traceparent", traceparent)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(PlatformIT.spec("traced", "synthetic",
                                "[16]", 1, 0.05, "{\"method\": \"dense\"}"))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
        String runId = Api.JSON.readTree(submitted.body()).get("runs").get(0).get("id").asString();
        Api api = new Api("http://localhost:" + compose.port("gateway"), compose.adminToken());
        assertThat(api.awaitRun(runId, Duration.ofMinutes(3)).get("status").asString()).isEqualTo("SUCCEEDED");
        java.util.Set<String> expected = java.util.Set.of("gateway", "experiment-service", "trainer-service",
                "evaluator-service");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<OtlpReceiver.Received> trace = otlp.spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
            java.util.Set<String> services = new java.util.TreeSet<>();
            trace.forEach(s -> services.add(s.service()));
            boolean evaluatorSent = trace.stream().anyMatch(s -> s.service().equals("evaluator-service")
                    && s.kind().equals("SPAN_KIND_PRODUCER"));
            if (services.containsAll(expected) && evaluatorSent) {
                // the trainer consumed the request the experiment-service's relay produced, within this trace
                assertThat(trace).anySatisfy(s -> {
                    assertThat(s.service()).isEqualTo("trainer-service");
                    assertThat(s.kind()).isEqualTo("SPAN_KIND_CONSUMER");
                });
                assertThat(trace).anySatisfy(s -> assertThat(s.name()).isEqualTo("train run"));
                return;
            }
            assertThat(System.nanoTime()).as("spans of trace %s from %s; got %s: %s", traceId, expected, services,
                    trace).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    /**
     * Issue 21: steps/s and samples/s per run, scraped while the run trains (series tagged with the run), and gone once
     * the run has left the trainer (cancelled here), so the trainer's series stay as many as its slots.
     */
    @Test
    void perRunRatesAreScrapedWhileARunTrainsAndGoAwayAfter() throws Exception {
        Api api = new Api("http://localhost:" + compose.port("gateway"), compose.adminToken());
        String runId = api.submitRun(PlatformIT.spec("long for rates", "synthetic", "[256, 256]", 300, 0.05,
                "{\"method\": \"dense\"}"));
        awaitSeries("trainer", "sparselab_run_steps_per_second{run=\"" + runId + "\"}", v -> v > 0);
        awaitSeries("trainer", "sparselab_run_samples_per_second{run=\"" + runId + "\"}", v -> v > 0);
        assertThat(api.post("/api/v1/runs/" + runId + "/cancel", "application/json", "").status()).isEqualTo(200);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (scrape("trainer").contains("run=\"" + runId + "\"")) {
            assertThat(System.nanoTime()).as("the run's series leave the trainer with it").isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    @Test
    void fashionMnistIsReadFromTheDatasetsFolderTheComposeFileGives() throws Exception {
        Api api = new Api("http://localhost:" + compose.port("gateway"), compose.adminToken());
        String runId = api.submitRun(PlatformIT.spec("compose fashion-mnist", "fashion-mnist", "[32]", 1, 0.05,
                "{\"method\": \"dense\"}"));
        JsonNode run = api.awaitRun(runId, Duration.ofMinutes(4));
        assertThat(run.get("status").asString()).as("run %s", run).isEqualTo("SUCCEEDED");
        assertThat(run.get("evaluation").get("testAccuracy").asDouble()).isGreaterThan(0.7);
    }
}
