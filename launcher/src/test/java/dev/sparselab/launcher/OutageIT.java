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
                List.of("--sparselab.experiment.prefetch=1000", "--sparselab.experiment.max-active-per-user=0")));
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
                        platform.restartKafka();
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
        assertThat(db.sql("select count(*) from runs where attempt <> 1 or not trained").query(Long.class).single())
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
        db = JdbcClient.create(platform.dataSource());
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
}
