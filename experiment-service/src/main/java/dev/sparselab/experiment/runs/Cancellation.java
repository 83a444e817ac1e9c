package dev.sparselab.experiment.runs;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.RunCancelRequested;
import dev.sparselab.experiment.outbox.Outbox;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Cancels runs: a run that is not finished becomes CANCELLED (with who and when) at once, and a
 * {@link RunCancelRequested} goes out on the control topic (through the outbox, in the same transaction)
 * so that a trainer running it stops within a step. The control topic is only the fast path: a trainer
 * also reads the run's status in PostgreSQL when it takes the run and at every lease renewal, so a cancel
 * sent while no trainer was listening still stops the run within one heartbeat.
 */
@Service
class Cancellation {
    private final JdbcClient jdbc;
    private final Outbox outbox;

    Cancellation(JdbcClient jdbc, Outbox outbox) {
        this.jdbc = jdbc;
        this.outbox = outbox;
    }

    /** The outcome for one run: whether it was cancelled now, and its status before. */
    public record Outcome(UUID runId, RunStatus before, boolean cancelled) {
    }

    /** Empty when the run does not exist. */
    @Transactional
    public java.util.Optional<Outcome> cancelRun(UUID runId, String by) {
        return jdbc.sql("select status from runs where id = ? for update").param(runId).query(String.class)
                .optional().map(status -> cancel(runId, RunStatus.valueOf(status), by));
    }

    /** Cancels every unfinished run of an experiment; empty when the experiment does not exist. */
    @Transactional
    public java.util.Optional<List<Outcome>> cancelExperiment(UUID experimentId, String by) {
        // closes its search first (the experiment's row lock orders this before any later proposal)
        if (jdbc.sql("update experiments set search_open = false where id = ?").param(experimentId).update() == 0) {
            return java.util.Optional.empty();
        }
        List<Outcome> outcomes = jdbc.sql("select id, status from runs where experiment_id = ? order by ordinal for update")
                .param(experimentId)
                .query((rs, i) -> new Object[]{rs.getObject(1, UUID.class), RunStatus.valueOf(rs.getString(2))})
                .list().stream()
                .map(row -> cancel((UUID) row[0], (RunStatus) row[1], by))
                .toList();
        return java.util.Optional.of(outcomes);
    }

    private Outcome cancel(UUID runId, RunStatus before, String by) {
        if (before == RunStatus.SUCCEEDED || before == RunStatus.FAILED || before == RunStatus.CANCELLED) {
            return new Outcome(runId, before, false);
        }
        jdbc.sql("""
                update runs set status = 'CANCELLED', reason = ?, cancelled_by = ?, cancelled_at = now(),
                  finished_at = now(), updated_at = now()
                where id = ?""").params("cancelled by " + by, by, runId).update();
        jdbc.sql("insert into run_history (run_id, event, applied, detail) values (?, 'status:CANCELLED', true, ?)")
                .params(runId, "cancelled by " + by).update();
        outbox.append(Topics.RUN_CONTROL, "run", runId.toString(), RunCancelRequested.of(runId, by));
        return new Outcome(runId, before, true);
    }
}
