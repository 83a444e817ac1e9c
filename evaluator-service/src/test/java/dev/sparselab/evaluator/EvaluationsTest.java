package dev.sparselab.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EvaluationEvent;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunEvent;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.SpecParser;
import dev.sparselab.core.data.DatasetCache;
import dev.sparselab.core.run.Evaluators;
import dev.sparselab.core.run.Trainers;
import dev.sparselab.core.train.TrainingResult;
import dev.sparselab.db.JdbcArtifactStore;
import dev.sparselab.db.ProcessedEvents;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The evaluator against a real PostgreSQL and real models (trained here on synthetic data): one evaluation per
 * run, a later attempt's model replaces an earlier attempt's evaluation and never the other way round, a replayed
 * completion stores nothing twice, and every outcome names the attempt and artifact it measured.
 */
class EvaluationsTest {
    static EmbeddedPostgres pg;
    static JdbcClient jdbc;
    static JdbcArtifactStore artifacts;
    static final List<EvaluationEvent> published = new ArrayList<>();
    static Evaluations evaluations;
    static final UUID PROJECT = UUID.fromString("00000000-0000-0000-0000-000000000001");

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        Flyway.configure().dataSource(pg.getPostgresDatabase()).load().migrate();
        jdbc = JdbcClient.create(pg.getPostgresDatabase());
        artifacts = new JdbcArtifactStore(jdbc);
        KafkaTemplate<String, String> kafka = mock(KafkaTemplate.class);
        when(kafka.send(eq(Topics.EVALUATION_EVENTS), anyString(), anyString())).thenAnswer(i -> {
            published.add(EventCodec.decode(i.getArgument(2, String.class), EvaluationEvent.class));
            return CompletableFuture.completedFuture(null);
        });
        evaluations = new Evaluations(artifacts, new DatasetCache(Path.of("/nonexistent")), new Evaluators(), jdbc,
                new ProcessedEvents(jdbc, "evaluator"), kafka,
                new EvaluatorProperties(Path.of("/nonexistent"), Path.of("/nonexistent"), Duration.ofSeconds(5)));
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    static String train(int seed) {
        ExperimentSpec spec = new SpecParser().parse("""
                {"name": "e", "dataset": {"name": "synthetic", "testSubset": 200},
                 "model": {"type": "mlp", "hidden": [16], "activation": "relu"},
                 "training": {"epochs": 1, "batchSize": 100, "seed": %d,
                   "optimizer": {"type": "sgd", "learningRate": 0.1, "momentum": 0.9}},
                 "sparsity": {"method": "random", "target": 0.5}}""".formatted(seed), false);
        TrainingResult r = Trainers.forSpec(spec, new DatasetCache(Path.of("/nonexistent")).forSpec(spec, true),
                p -> { }).run();
        return artifacts.put("model", r.artifact().toBytes());
    }

    static UUID run() {
        UUID experiment = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        jdbc.sql("insert into experiments (id, name, spec, project_id) values (?, 'e', '{}'::jsonb, ?)")
                .params(experiment, PROJECT).update();
        jdbc.sql("insert into runs (id, experiment_id, seed, spec) values (?, ?, 1, '{}'::jsonb)")
                .params(run, experiment).update();
        return run;
    }

    static String evaluated(UUID run) {
        return jdbc.sql("select artifact_sha256 || '@' || attempt from evaluations where run_id = ?").param(run)
                .query(String.class).single();
    }

    @Test
    void aLaterAttemptsModelReplacesAnEarlierOnesEvaluationNeverTheOtherWayRound() {
        String first = train(1);
        String second = train(2);
        UUID run = run();
        RunEvent.RunCompleted one = new RunEvent.RunCompleted(run, first, null, false, 1);
        RunEvent.RunCompleted two = new RunEvent.RunCompleted(run, second, null, false, 2);
        evaluations.evaluate(one);
        assertThat(evaluated(run)).isEqualTo(first + "@1");
        evaluations.evaluate(two);
        assertThat(evaluated(run)).isEqualTo(second + "@2");
        // the superseded attempt's completion, delivered late, changes nothing
        evaluations.evaluate(new RunEvent.RunCompleted(run, first, null, false, 1));
        assertThat(evaluated(run)).isEqualTo(second + "@2");
        // a replay of an applied completion stores and announces nothing
        int announced = published.size();
        evaluations.evaluate(two);
        assertThat(published).hasSize(announced);
        assertThat(jdbc.sql("select count(*) from evaluations where run_id = ?").param(run).query(Long.class)
                .single()).isOne();
        // every outcome names what it measured
        assertThat(published).filteredOn(e -> e.runId().equals(run))
                .extracting(e -> e.artifactSha256() + "@" + e.attempt())
                .containsExactly(first + "@1", second + "@2", first + "@1");
    }

    @Test
    void aMissingArtifactIsAFailedEvaluationNamingTheAttempt() {
        UUID run = run();
        evaluations.evaluate(new RunEvent.RunCompleted(run, "0".repeat(64), null, false, 3));
        EvaluationEvent last = published.get(published.size() - 1);
        assertThat(last).isInstanceOf(EvaluationEvent.EvaluationFailed.class);
        assertThat(last.attempt()).isEqualTo(3);
        assertThat(((EvaluationEvent.EvaluationFailed) last).reason()).contains("is not stored");
    }
}
