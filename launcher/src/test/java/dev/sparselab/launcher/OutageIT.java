package dev.sparselab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The Kafka broker goes away in the middle of a burst of 200 submissions and comes back: every run is
 * still trained exactly once (one attempt, one artifact, one evaluation, one point per metric and epoch).
 * Submissions keep working during the outage (they only need PostgreSQL; the outbox holds the requests).
 * Then PostgreSQL goes away while runs train: the API answers 503, services retry with back-off, and every
 * run still ends trained and evaluated once.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class OutageIT {
    static final int RUNS = 200;

    @TempDir
    static Path dataDir;
    static LocalPlatform platform;
    static Api api;
    static JdbcClient db;

    @BeforeAll
    static void start() throws Exception {
        // release every run at once, so that the outbox and the queue hold many during the outage
        platform = LocalPlatform.start(new LocalPlatform.Options(dataDir, 0, 0, 0, PlatformIT.DATASETS, 4, 0,
                List.of("--sparselab.experiment.prefetch=1000", "--sparselab.experiment.max-active-per-user=0",
                        // the trainer never hears the control topic: cancels and stops must reach it through
                        // PostgreSQL (as when a message is sent while no trainer is listening)
                        "--sparselab.trainer.control-topic=false")));
        api = new Api(platform.baseUrl(), platform.adminToken());
        db = JdbcClient.create(platform.dataSource());
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    static String spec(int seed) {
        return """
                {"name": "burst %d", "dataset": {"name": "synthetic", "testSubset": 200},
                 "model": {"type": "mlp", "hidden": [8], "activation": "relu"},
                 "training": {"epochs": 1, "batchSize": 1000, "seed": %d,
                              "optimizer": {"type": "sgd", "learningRate": 0.1, "momentum": 0.9}},
                 "sparsity": {"method": "random", "target": 0.5}}""".formatted(seed, seed);
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void twoHundredRunsAreTrainedExactlyOnceAcrossABrokerOutage() throws Exception {
        List<String> runIds = new ArrayList<>();
        CompletableFuture<Long> outage = null;
        for (int i = 0; i < RUNS; i++) {
            runIds.add(api.submitRun(spec(i)));
            if (i == 40) {
                platform.stopKafka();
                // back after a few seconds, while submissions go on
                outage = CompletableFuture.supplyAsync(() -> {
                    try {
                        Thread.sleep(20_000);
                        // requests submitted during the outage wait in the outbox
                        long waiting = db.sql("select count(*) from outbox where published_at is null")
                                .query(Long.class).single();
                        Instant back = Instant.now();
                        platform.restartKafka();
                        // the relay's catch-up: from the broker's return to the first row it delivers
                        Instant delivered = awaitInstant("""
                                select min(published_at) from outbox where published_at > ?""", back);
                        System.out.printf("Kafka back: first outbox row delivered after %.1f s%n",
                                Duration.between(back, delivered).toMillis() / 1000.0);
                        return waiting;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }
        long waitingInOutbox = outage.get();
        assertThat(runIds).doesNotHaveDuplicates().hasSize(RUNS);

        Instant deadline = Instant.now().plus(Duration.ofMinutes(12));
        long done = 0;
        while (Instant.now().isBefore(deadline)) {
            done = db.sql("select count(*) from runs where status in ('SUCCEEDED', 'FAILED', 'CANCELLED')")
                    .query(Long.class).single();
            if (done == RUNS) {
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(done).as("runs finished").isEqualTo(RUNS);
        assertThat(db.sql("select count(*) from runs where status = 'SUCCEEDED'").query(Long.class).single())
                .isEqualTo(RUNS);
        // exactly once in effect: each run taken by a trainer once, trained once, evaluated once
        assertThat(db.sql("""
                select count(*) from runs r left join run_leases l on l.run_id = r.id
                where r.attempt <> 1 or l.attempt is distinct from 1 or not l.trained""").query(Long.class).single())
                .as("runs with more than one attempt").isZero();
        assertThat(db.sql("select count(*) from evaluations").query(Long.class).single()).isEqualTo(RUNS);
        assertThat(db.sql("select count(*) from run_metrics where name = 'train.loss'").query(Long.class).single())
                .isEqualTo(RUNS);
        assertThat(db.sql("select count(distinct artifact_sha256) from runs").query(Long.class).single())
                .isEqualTo(RUNS);
        assertThat(db.sql("select count(*) from outbox where published_at is null").query(Long.class).single())
                .isZero();
        // the outage was real: requests waited in the outbox for the broker
        assertThat(waitingInOutbox).isPositive();
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void runsSurviveAPostgresOutageWhileTheyTrain() throws Exception {
        List<String> runIds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            runIds.add(api.submitRun(spec(1000 + i).replace("\"epochs\": 1", "\"epochs\": 3")));
        }
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (db.sql("select count(*) from runs where seed >= 1000 and status = 'SUCCEEDED'").query(Long.class)
                .single() < 3 && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        platform.stopPostgres();
        Api.Response during = api.get("/api/v1/runs/" + runIds.get(0));
        assertThat(during.status()).as("%s", during.body()).isEqualTo(503);
        Thread.sleep(15_000);
        platform.restartPostgres();
        Instant back = Instant.now();
        db = JdbcClient.create(platform.dataSource());
        // the consumers' catch-up: from PostgreSQL's return to the first run event applied after it
        Instant applied = awaitInstant("select min(at) from run_history where at > ?", back);
        System.out.printf("PostgreSQL back: first run event applied after %.1f s%n",
                Duration.between(back, applied).toMillis() / 1000.0);
        deadline = Instant.now().plus(Duration.ofMinutes(6));
        long succeeded = 0;
        while (Instant.now().isBefore(deadline)) {
            succeeded = db.sql("select count(*) from runs where seed >= 1000 and status = 'SUCCEEDED'")
                    .query(Long.class).single();
            if (succeeded == runIds.size()) {
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(succeeded).isEqualTo(runIds.size());
        assertThat(db.sql("""
                select count(*) from evaluations e join runs r on r.id = e.run_id where r.seed >= 1000""")
                .query(Long.class).single()).isEqualTo(runIds.size());
        assertThat(db.sql("""
                select count(*) from run_metrics m join runs r on r.id = m.run_id
                where r.seed >= 1000 and m.name = 'train.loss'""").query(Long.class).single())
                .isEqualTo(3L * runIds.size());
    }

    /** Waits (3 minutes at most) until the query, given {@code since}, returns a time; returns it. */
    static Instant awaitInstant(String sql, Instant since) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            try {
                java.sql.Timestamp t = db.sql(sql).param(java.sql.Timestamp.from(since))
                        .query(java.sql.Timestamp.class).single();
                if (t != null) {
                    return t.toInstant();
                }
            } catch (RuntimeException e) {
                // PostgreSQL still starting
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing happened within 3 minutes after " + since + ": " + sql);
    }

    /**
     * The run-events consumer is held back while a run trains, completes and is evaluated: the evaluation
     * is applied, yet the API does not say SUCCEEDED (its metrics and completion are not applied); when the
     * consumer goes on, the run ends SUCCEEDED with all of its metric points.
     */
    @Test
    @org.junit.jupiter.api.Order(3)
    void aRunIsNotSucceededBeforeItsRunEventsAreApplied() throws Exception {
        var consumer = platform.runEventsConsumer();
        consumer.pause();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (!consumer.isContainerPaused() && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        assertThat(consumer.isContainerPaused()).as("run-events consumer paused").isTrue();
        String runId;
        try {
            runId = api.submitRun(spec(5000).replace("\"epochs\": 1", "\"epochs\": 3"));
            // the evaluator reads the completion straight from Kafka, evaluates, and its event is applied
            deadline = Instant.now().plus(Duration.ofMinutes(3));
            while (Instant.now().isBefore(deadline) && db.sql("""
                    select count(*) from run_history where run_id = ?::uuid and event = 'EvaluationCompleted'
                      and applied""").param(runId).query(Long.class).single() == 0) {
                Thread.sleep(100);
            }
            assertThat(db.sql("select count(*) from evaluations where run_id = ?::uuid").param(runId)
                    .query(Long.class).single()).as("evaluated while run events wait").isOne();
            JsonNodeStatus during = status(runId);
            assertThat(during.status()).as("status with the evaluation applied but not the run's events")
                    .isNotEqualTo("SUCCEEDED");
            assertThat(during.lossPoints()).isZero();
        } finally {
            consumer.resume();
        }
        tools.jackson.databind.JsonNode run = api.awaitRun(runId, Duration.ofMinutes(3));
        assertThat(run.get("status").asString()).isEqualTo("SUCCEEDED");
        // terminal means complete: every point is there the moment the API says SUCCEEDED
        assertThat(status(runId).lossPoints()).isEqualTo(3);
        assertThat(db.sql("select count(*) from run_history where run_id = ?::uuid and event like 'status:%'")
                .param(runId).query(Long.class).single()).as("terminal exactly once").isOne();
    }

    /**
     * Control messages that no trainer hears (the trainer's control-topic listener is off here, as when a
     * message is sent while the trainer restarts) still take effect: a cancelled run stops training, and a run
     * whose stop-early flag is set stops at its next epoch and ends evaluated, stopped early.
     */
    @Test
    @org.junit.jupiter.api.Order(5)
    void cancelAndStopEarlyReachATrainerThatMissedTheControlTopic() throws Exception {
        String longSpec = longRun(7000);
        String cancelled = api.submitRun(longSpec);
        awaitTraining(cancelled);
        assertThat(api.post("/api/v1/runs/" + cancelled + "/cancel").status()).isEqualTo(200);
        // the trainer stops it and lets go: lease released, marked trained (never taken again)
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (Instant.now().isBefore(deadline) && db.sql("""
                select count(*) from run_leases where run_id = ?::uuid and trained and owner is null""").param(cancelled)
                .query(Long.class).single() == 0) {
            Thread.sleep(100);
        }
        assertThat(db.sql("select trained from run_leases where run_id = ?::uuid").param(cancelled).query(Boolean.class)
                .single())
                .as("the trainer stopped the cancelled run").isTrue();
        assertThat(db.sql("select max(epoch) from run_metrics where run_id = ?::uuid").param(cancelled)
                .query(Integer.class).single()).isLessThan(400);

        String stopped = api.submitRun(longRun(7001));
        awaitTraining(stopped);
        db.sql("update runs set stop_early_requested = true where id = ?::uuid").param(stopped).update(); // as ASHA does
        tools.jackson.databind.JsonNode run = api.awaitRun(stopped, Duration.ofMinutes(2));
        assertThat(run.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(run.get("scheduling").get("stoppedEarly").asBoolean()).isTrue();
    }

    /** A run of a few minutes (400 epochs of 40 steps). */
    static String longRun(int seed) {
        return spec(seed).replace("\"epochs\": 1", "\"epochs\": 400").replace("\"batchSize\": 1000", "\"batchSize\": 100");
    }

    /** Waits until the run has reported a metric point (it is training). */
    static void awaitTraining(String runId) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline) && db.sql("select count(*) from run_metrics where run_id = ?::uuid")
                .param(runId).query(Long.class).single() == 0) {
            Thread.sleep(100);
        }
        assertThat(db.sql("select count(*) from run_metrics where run_id = ?::uuid").param(runId).query(Long.class)
                .single()).as("run %s training", runId).isPositive();
    }

    record JsonNodeStatus(String status, int lossPoints) {
    }

    static JsonNodeStatus status(String runId) {
        Api.Response r = api.get("/api/v1/runs/" + runId);
        int points = 0;
        for (tools.jackson.databind.JsonNode s : api.get("/api/v1/runs/" + runId + "/metrics?name=train.loss").body()
                .get("series")) {
            points += s.get("points").size();
        }
        return new JsonNodeStatus(r.body().get("status").asString(), points);
    }

    /**
     * An outbox row the broker refuses (over its 1 MB record limit) is parked after bounded tries with its
     * error, visible to an admin; the rows after it are delivered meanwhile (a run submitted after it trains).
     */
    @Test
    @org.junit.jupiter.api.Order(4)
    void anUnsendableOutboxRowIsParkedAndDoesNotBlockLaterRows() throws Exception {
        String huge = "{\"runId\": \"" + java.util.UUID.randomUUID() + "\", \"pad\": \"" + "x".repeat(2_000_000) + "\"}";
        long id = db.sql("""
                insert into outbox (topic, aggregate_type, aggregate_id, type, payload)
                values ('sparselab.run.control', 'run', 'poison', 'RunCancelRequested', ?::jsonb) returning id""")
                .param(huge).query(Long.class).single();
        String runId = api.submitRun(spec(6000));
        tools.jackson.databind.JsonNode run = api.awaitRun(runId, Duration.ofMinutes(3));
        assertThat(run.get("status").asString()).isEqualTo("SUCCEEDED");
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (Instant.now().isBefore(deadline) && db.sql("select count(*) from outbox where id = ? and parked_at is not null")
                .param(id).query(Long.class).single() == 0) {
            Thread.sleep(100);
        }
        Api.Response parked = api.get("/api/v1/admin/outbox/parked");
        assertThat(parked.status()).isEqualTo(200);
        assertThat(parked.body().toString()).contains("\"id\":" + id).contains("RecordTooLarge");
        assertThat(db.sql("select attempts from outbox where id = ?").param(id).query(Integer.class).single())
                .isEqualTo(5);
        assertThat(db.sql("select count(*) from outbox where published_at is null and parked_at is null")
                .query(Long.class).single()).isZero();
    }
}
