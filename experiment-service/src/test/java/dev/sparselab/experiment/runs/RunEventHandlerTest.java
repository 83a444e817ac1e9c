package dev.sparselab.experiment.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.events.EvaluationEvent;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.events.RunEvent;
import dev.sparselab.contracts.events.RunProvenance;
import dev.sparselab.db.ProcessedEvents;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Run events applied to a real PostgreSQL with the real migrations: idempotent and order-independent. */
class RunEventHandlerTest {
    static EmbeddedPostgres pg;
    static JdbcClient jdbc;
    RunEventHandler handler;
    UUID runId;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        Flyway.configure().dataSource(pg.getPostgresDatabase()).load().migrate();
        jdbc = JdbcClient.create(pg.getPostgresDatabase());
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    @BeforeEach
    void newRun() {
        handler = new RunEventHandler(jdbc, new ProcessedEvents(jdbc, "experiment-service"), SchedulerTest.scheduler(jdbc,
                pg.getPostgresDatabase(), 0, 0), new Asha(jdbc, new dev.sparselab.experiment.outbox.Outbox(jdbc)));
        UUID experimentId = UUID.randomUUID();
        runId = UUID.randomUUID();
        jdbc.sql("insert into experiments (id, name, spec, project_id) values (?, 'e', '{}'::jsonb, ?)")
                .params(experimentId, SchedulerTest.DEFAULT_PROJECT).update();
        jdbc.sql("insert into runs (id, experiment_id, seed, spec) values (?, ?, 1, '{}'::jsonb)")
                .params(runId, experimentId).update();
    }

    String status() {
        return jdbc.sql("select status from runs where id = ?").param(runId).query(String.class).single();
    }

    static RunProvenance provenance() {
        return new RunProvenance("spec", 1, "data", "0.36.0", "PyTorch", "2.7.1", "cpu()", "jvm", "os", 10, 100, 3e9, 3e9);
    }

    @Test
    void aReplayedMetricsEventStoresItsPointsOnce() {
        RunEvent.MetricsReported metrics = new RunEvent.MetricsReported(runId, List.of(
                new MetricPoint("train.loss", 10, 1, 0.5), new MetricPoint("train.accuracy", 10, 1, 0.8)));
        handler.apply(metrics);
        handler.apply(metrics);
        // a different event carrying the same point (a resumed epoch) does not duplicate it either
        handler.apply(new RunEvent.MetricsReported(runId, List.of(new MetricPoint("train.loss", 10, 1, 0.5))));
        assertThat(jdbc.sql("select count(*) from run_metrics where run_id = ?").param(runId)
                .query(Long.class).single()).isEqualTo(2);
    }

    @Test
    void theHappyPathMovesForward() {
        handler.apply(new RunEvent.RunStarted(runId, "t1", "cpu()"));
        assertThat(status()).isEqualTo("RUNNING");
        handler.apply(new RunEvent.RunCompleted(runId, "abc", provenance()));
        assertThat(status()).isEqualTo("EVALUATING");
        handler.apply(new EvaluationEvent.EvaluationCompleted(runId, 0.9, 0.5));
        assertThat(status()).isEqualTo("SUCCEEDED");
    }

    @Test
    void anEvaluationThatOvertakesTheCompletionStillEndsSucceeded() {
        handler.apply(new RunEvent.RunStarted(runId, "t1", "cpu()"));
        handler.apply(new EvaluationEvent.EvaluationCompleted(runId, 0.9, 0.5));
        // the run-events consumer has not applied the completion (nor the metrics before it) yet:
        // the run must not say SUCCEEDED while its data is missing
        assertThat(status()).isEqualTo("RUNNING");
        handler.apply(new RunEvent.RunCompleted(runId, "abc", provenance()));
        assertThat(status()).isEqualTo("SUCCEEDED");
        assertThat(jdbc.sql("select artifact_sha256 from runs where id = ?").param(runId).query(String.class).single())
                .isEqualTo("abc");
    }

    @Test
    void aTerminalRunStaysTerminal() {
        handler.apply(new RunEvent.RunFailed(runId, "NaN loss"));
        handler.apply(new RunEvent.RunStarted(runId, "t2", "cpu()"));
        handler.apply(new EvaluationEvent.EvaluationCompleted(runId, 0.9, 0.5));
        assertThat(status()).isEqualTo("FAILED");
        assertThat(jdbc.sql("select reason from runs where id = ?").param(runId).query(String.class).single())
                .isEqualTo("NaN loss");
    }

    void claim(int attempt) {
        // a trainer takes the run: its lease row (run_leases, the trainers' table) carries the fencing token
        jdbc.sql("update runs set status = 'RUNNING' where id = ?").param(runId).update();
        jdbc.sql("""
                insert into run_leases (run_id, owner, expires_at, attempt) values (?, 't', now() + interval '1 minute', ?)
                on conflict (run_id) do update set attempt = excluded.attempt""").params(runId, attempt).update();
    }

    long history(String event, boolean applied) {
        return jdbc.sql("select count(*) from run_history where run_id = ? and event = ? and applied = ?")
                .params(runId, event, applied).query(Long.class).single();
    }

    @Test
    void aFailedEvaluationWaitsForTheCompletionToo() {
        claim(1);
        handler.apply(new EvaluationEvent.EvaluationFailed(runId, "artifact unreadable", 1, "abc"));
        assertThat(status()).isEqualTo("RUNNING");
        handler.apply(new RunEvent.RunCompleted(runId, "abc", provenance(), false, 1));
        assertThat(status()).isEqualTo("FAILED");
        assertThat(jdbc.sql("select reason from runs where id = ?").param(runId).query(String.class).single())
                .isEqualTo("evaluation failed: artifact unreadable");
    }

    @Test
    void anEvaluationOfAnotherArtifactDoesNotEndTheRun() {
        claim(1);
        handler.apply(new RunEvent.RunCompleted(runId, "abc", provenance(), false, 1));
        handler.apply(new EvaluationEvent.EvaluationCompleted(runId, 0.9, 0.5, 1, "other"));
        assertThat(status()).isEqualTo("EVALUATING");
    }

    @Test
    void eventsOfASupersededAttemptAreIgnored() {
        // attempt 1 lost its lease while paused; attempt 2 took the run over
        claim(2);
        handler.apply(new RunEvent.MetricsReported(runId, List.of(new MetricPoint("train.loss", 10, 1, 9.9)), 1));
        handler.apply(new RunEvent.RunCompleted(runId, "stale", provenance(), false, 1));
        handler.apply(new EvaluationEvent.EvaluationCompleted(runId, 0.1, 0.5, 1, "stale"));
        assertThat(status()).isEqualTo("RUNNING");
        assertThat(jdbc.sql("select count(*) from run_metrics where run_id = ?").param(runId).query(Long.class)
                .single()).isZero();

        handler.apply(new RunEvent.MetricsReported(runId, List.of(new MetricPoint("train.loss", 10, 1, 0.5)), 2));
        handler.apply(new RunEvent.RunCompleted(runId, "fresh", provenance(), false, 2));
        // a second completion of the same attempt (a retried send) is not applied again
        handler.apply(new RunEvent.RunCompleted(runId, "fresh", provenance(), false, 2));
        handler.apply(new EvaluationEvent.EvaluationCompleted(runId, 0.9, 0.5, 2, "fresh"));
        assertThat(status()).isEqualTo("SUCCEEDED");
        assertThat(jdbc.sql("select artifact_sha256 from runs where id = ?").param(runId).query(String.class)
                .single()).isEqualTo("fresh");
        assertThat(jdbc.sql("select value from run_metrics where run_id = ?").param(runId).query(Double.class)
                .single()).isEqualTo(0.5);
        assertThat(history("RunCompleted", true)).isEqualTo(1);
        assertThat(history("RunCompleted", false)).isEqualTo(2);
        assertThat(history("EvaluationCompleted", false)).isEqualTo(1);
        assertThat(history("status:SUCCEEDED", true)).isEqualTo(1);
    }

    @Test
    void aCancelledRunKeepsTheDataItHadWhenItWasCancelled() {
        claim(1);
        handler.apply(new RunEvent.MetricsReported(runId, List.of(new MetricPoint("train.loss", 10, 1, 0.5)), 1));
        jdbc.sql("update runs set status = 'CANCELLED' where id = ?").param(runId).update();
        // the trainer had not noticed the cancel yet: its next epoch's points arrive after it
        handler.apply(new RunEvent.MetricsReported(runId, List.of(new MetricPoint("train.loss", 20, 2, 0.4)), 1));
        assertThat(jdbc.sql("select count(*) from run_metrics where run_id = ?").param(runId).query(Long.class)
                .single()).isOne();
        assertThat(history("MetricsReported", false)).isOne();
        assertThat(status()).isEqualTo("CANCELLED");
    }

    @Test
    void metricEventsOfManyRunsAreAppliedTogetherEachByItsOwnRules() {
        jdbc.sql("update runs set status = 'RUNNING', attempt = 2 where id = ?").param(runId).update();
        UUID ended = UUID.randomUUID();
        jdbc.sql("insert into runs (id, experiment_id, seed, spec, status) "
                + "select ?, experiment_id, 2, '{}'::jsonb, 'CANCELLED' from runs where id = ?")
                .params(ended, runId).update();
        RunEvent.MetricsReported first = new RunEvent.MetricsReported(runId, List.of(
                new MetricPoint("train.loss", 1, 1, 0.9), new MetricPoint("train.accuracy", 1, 1, 0.5)), 2);
        handler.apply(first); // applied on its own before: the group skips it
        RunEvent.MetricsReported current = new RunEvent.MetricsReported(runId, List.of(
                new MetricPoint("train.loss", 2, 1, 0.8), new MetricPoint("train.loss", 3, 1, 0.7)), 2);
        RunEvent.MetricsReported stale = new RunEvent.MetricsReported(runId, List.of(
                new MetricPoint("train.loss", 4, 1, 99)), 1);
        RunEvent.MetricsReported afterCancel = new RunEvent.MetricsReported(ended, List.of(
                new MetricPoint("train.loss", 1, 1, 0.1)), null);
        RunEvent.MetricsReported ofDeletedRun = new RunEvent.MetricsReported(UUID.randomUUID(), List.of(
                new MetricPoint("train.loss", 1, 1, 0.1)), null);

        handler.applyMetrics(List.of(first, current, stale, afterCancel, current, stale, ofDeletedRun));

        assertThat(jdbc.sql("select step, value from run_metrics where run_id = ? and name = 'train.loss' order by step")
                .param(runId).query((rs, i) -> rs.getLong(1) + "=" + rs.getDouble(2)).list())
                .containsExactly("1=0.9", "2=0.8", "3=0.7");
        assertThat(jdbc.sql("select count(*) from run_metrics where run_id = ?").param(ended).query(Long.class)
                .single()).isZero();
        assertThat(jdbc.sql("select detail from run_history where run_id = ? and event = 'MetricsReported'")
                .param(runId).query(String.class).list()).containsExactly("superseded: the run is at attempt 2");
        assertThat(jdbc.sql("select detail from run_history where run_id = ? and event = 'MetricsReported'")
                .param(ended).query(String.class).list()).containsExactly("the run had ended (CANCELLED)");
        // every event is in the ledger: a redelivered group changes nothing
        handler.applyMetrics(List.of(current, stale, afterCancel));
        assertThat(jdbc.sql("select count(*) from run_metrics where run_id = ?").param(runId).query(Long.class)
                .single()).isEqualTo(4);
        assertThat(jdbc.sql("select count(*) from run_history where run_id in (?, ?)").params(runId, ended)
                .query(Long.class).single()).isEqualTo(2);
    }
}
