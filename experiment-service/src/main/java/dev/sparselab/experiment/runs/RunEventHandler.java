package dev.sparselab.experiment.runs;

import dev.sparselab.contracts.events.EvaluationEvent;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.events.RunEvent;
import dev.sparselab.db.ProcessedEvents;
import java.sql.Timestamp;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies trainer and evaluator events to runs: the run status machine. Each event is applied once
 * (processed-event ledger, in the same transaction), a status only moves forward, and a status moves
 * only when its data is there:
 * <ul>
 *   <li><b>SUCCEEDED</b> needs both the trainer's {@code RunCompleted} applied and the evaluator's
 *       {@code EvaluationCompleted} for the same artifact, in whichever order the two topics deliver them.
 *       The completion is applied only after every earlier event of the run: a trainer sends a run's
 *       events one at a time (each acknowledged before the next), keyed by the run id, so they sit in one
 *       partition of {@code sparselab.run.events} in the order sent; one listener thread consumes a
 *       partition in order, and a record that fails is retried (the container seeks back to it) before
 *       any later record. So when the completion is applied, all of the run's metric points are.</li>
 *   <li><b>FAILED</b> after a failed evaluation likewise waits for the completion; a trainer's
 *       {@code RunFailed} comes after the run's other events on the same partition.</li>
 *   <li><b>Fencing</b>: an event whose attempt is older than the run's current attempt (the trainer lost
 *       its lease and another took the run over) is ignored, and so is an evaluation of such an attempt's
 *       model. A completion is applied once per run.</li>
 * </ul>
 * A terminal run's data no longer changes: metric points that arrive after a run was cancelled (the trainer
 * had not noticed yet) are not applied. Lifecycle events take the run's row lock first, so the run-events and evaluation-events consumers
 * (separate threads, possibly separate processes) never decide on one run at the same time. Every lifecycle
 * event, applied or ignored, and every terminal transition is written to {@code run_history}.
 */
@Service
public class RunEventHandler {
    private static final Logger log = LoggerFactory.getLogger(RunEventHandler.class);
    private final JdbcClient jdbc;
    private final ProcessedEvents ledger;

    private final Scheduler scheduler;
    private final Asha asha;

    RunEventHandler(JdbcClient jdbc, ProcessedEvents ledger, Scheduler scheduler, Asha asha) {
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.scheduler = scheduler;
        this.asha = asha;
    }

    /** Points of any runs in one statement (arrays unnested), not one round trip per point. */
    private void insertPoints(java.util.List<UUID> runIds, java.util.List<MetricPoint> points) {
        int n = points.size();
        UUID[] runs = runIds.toArray(new UUID[0]);
        String[] names = new String[n];
        Long[] steps = new Long[n];
        Integer[] epochs = new Integer[n];
        Double[] values = new Double[n];
        for (int i = 0; i < n; i++) {
            MetricPoint p = points.get(i);
            names[i] = p.name();
            steps[i] = p.step();
            epochs[i] = p.epoch();
            values[i] = p.value();
        }
        jdbc.sql("""
                insert into run_metrics (run_id, name, step, epoch, value)
                select run_id, name, step, epoch, value
                from unnest(?::uuid[], ?::text[], ?::bigint[], ?::int[], ?::float8[])
                  as p(run_id, name, step, epoch, value)
                on conflict (run_id, name, step) do nothing""")
                .params(runs, names, steps, epochs, values).update();
    }

    /**
     * Applies metric events of any runs together, in one transaction and a fixed number of statements (the
     * ledger, the runs' attempts and statuses, all points, the runs' {@code updated_at}), however many events and
     * runs: what a batch consumer hands over. The rules are {@link #apply(RunEvent)}'s for each event: replayed
     * events skipped, superseded attempts and ended runs' points ignored (with their history), ASHA told of each
     * run's points. A failure rolls the whole group back (the ledger too), so it can be applied again or one event
     * at a time.
     */
    @Transactional
    public void applyMetrics(java.util.List<RunEvent.MetricsReported> events) {
        if (events.isEmpty()) {
            return;
        }
        java.util.Set<UUID> fresh = ledger.markAllProcessed(events.stream().map(RunEvent::eventId).toList());
        // an event delivered twice in one group counts once (remove: only its first copy passes)
        java.util.List<RunEvent.MetricsReported> todo = events.stream().filter(e -> fresh.remove(e.eventId()))
                .toList();
        if (todo.isEmpty()) {
            return;
        }
        UUID[] runIds = todo.stream().map(RunEvent::runId).distinct().toArray(UUID[]::new);
        record RunState(int attempt, String status, boolean earlyStopping) {
        }
        java.util.Map<UUID, RunState> runs = new java.util.HashMap<>();
        jdbc.sql("select r.id, " + CURRENT_ATTEMPT + ", r.status, e.spec -> 'sweep' -> 'earlyStopping' is not null "
                        + "from runs r join experiments e on e.id = r.experiment_id where r.id = any(?)")
                .param(runIds)
                .query(rs -> {
                    runs.put(rs.getObject(1, UUID.class), new RunState(rs.getInt(2), rs.getString(3), rs.getBoolean(4)));
                });
        java.util.List<UUID> pointRuns = new java.util.ArrayList<>();
        java.util.List<MetricPoint> points = new java.util.ArrayList<>();
        java.util.Map<UUID, java.util.List<MetricPoint>> forAsha = new java.util.LinkedHashMap<>();
        for (RunEvent.MetricsReported e : todo) {
            RunState run = runs.get(e.runId());
            if (run == null) {
                continue; // the run was deleted
            }
            String name = e.getClass().getSimpleName();
            if (superseded(e.attempt(), run.attempt())) {
                history(e.runId(), name, e.attempt(), false, "superseded: the run is at attempt " + run.attempt());
                continue;
            }
            if (RunStatus.valueOf(run.status()).terminal()) {
                history(e.runId(), name, e.attempt(), false, "the run had ended (" + run.status() + ")");
                continue;
            }
            for (MetricPoint p : e.points()) {
                pointRuns.add(e.runId());
                points.add(p);
            }
            if (run.earlyStopping()) {
                forAsha.computeIfAbsent(e.runId(), k -> new java.util.ArrayList<>()).addAll(e.points());
            }
        }
        if (points.isEmpty()) {
            return;
        }
        insertPoints(pointRuns, points);
        jdbc.sql("update runs set updated_at = now() where id = any(?)")
                .param(pointRuns.stream().distinct().toArray(UUID[]::new)).update();
        forAsha.forEach(asha::onMetrics);
    }

    @Transactional
    public void apply(RunEvent event) {
        if (!ledger.markProcessed(event.eventId())) {
            log.debug("skipping replayed event {}", event.eventId());
            return;
        }
        UUID runId = event.runId();
        String name = event.getClass().getSimpleName();
        Timestamp at = Timestamp.from(event.occurredAt());
        if (event instanceof RunEvent.MetricsReported e) {
            Optional<Object[]> run = jdbc.sql("select " + CURRENT_ATTEMPT + ", status from runs r where id = ?")
                    .param(runId)
                    .query((rs, i) -> new Object[]{rs.getInt(1), rs.getString(2)}).optional();
            if (run.isEmpty()) {
                return; // the run was deleted
            }
            int current = (Integer) run.get()[0];
            if (superseded(e.attempt(), current)) {
                history(runId, name, e.attempt(), false, "superseded: the run is at attempt " + current);
                return;
            }
            if (RunStatus.valueOf((String) run.get()[1]).terminal()) {
                // only a cancelled run can get here (a finished one's points all came before its end): what it
                // had when it was cancelled is what it keeps
                history(runId, name, e.attempt(), false, "the run had ended (" + run.get()[1] + ")");
                return;
            }
            insertPoints(java.util.Collections.nCopies(e.points().size(), runId), e.points());
            jdbc.sql("update runs set updated_at = now() where id = ?").param(runId).update();
            asha.onMetrics(runId, e.points());
            return;
        }
        Optional<Integer> current = lockRun(runId);
        if (current.isEmpty()) {
            return; // the run was deleted
        }
        if (superseded(event.attempt(), current.get())) {
            log.info("run {}: ignoring {} of attempt {} (the run is at attempt {})", runId, name, event.attempt(),
                    current.get());
            history(runId, name, event.attempt(), false, "superseded: the run is at attempt " + current.get());
            return;
        }
        int applied = 0;
        if (event instanceof RunEvent.RunStarted e) {
            applied = jdbc.sql("""
                    update runs set trainer = ?, device = ?, started_at = coalesce(started_at, ?),
                      resumed_from_step = coalesce(?, resumed_from_step), attempt = greatest(attempt, coalesce(?, 0)),
                      status = case when status = 'QUEUED' then 'RUNNING' else status end, updated_at = now()
                    where id = ? and status in ('QUEUED', 'RUNNING')""")
                    .params(e.trainer(), e.device(), at, e.resumedFromStep(), e.attempt(), runId).update();
        } else if (event instanceof RunEvent.RunCompleted e) {
            applied = jdbc.sql("""
                    update runs set artifact_sha256 = ?, provenance = ?::jsonb, trained_at = ?, stopped_early = ?,
                      completed_attempt = coalesce(?, attempt),
                      status = case when status in ('QUEUED', 'RUNNING') then 'EVALUATING' else status end,
                      updated_at = now()
                    where id = ? and completed_attempt is null and status in ('QUEUED', 'RUNNING', 'EVALUATING')""")
                    .params(e.artifactSha256(), EventCodec.encode(e.provenance()), at,
                            Boolean.TRUE.equals(e.stoppedEarly()), e.attempt(), runId)
                    .update();
            finishIfComplete(runId);
        } else if (event instanceof RunEvent.RunFailed e) {
            applied = fail(runId, e.reason(), at);
        }
        history(runId, name, event.attempt(), applied > 0, applied > 0 ? null : "the run had moved on");
        if (event instanceof RunEvent.RunCompleted || event instanceof RunEvent.RunFailed) {
            scheduler.wakeUp();
        }
    }

    @Transactional
    public void apply(EvaluationEvent event) {
        if (!ledger.markProcessed(event.eventId())) {
            return;
        }
        UUID runId = event.runId();
        String name = event.getClass().getSimpleName();
        Optional<Integer> current = lockRun(runId);
        if (current.isEmpty()) {
            return;
        }
        if (superseded(event.attempt(), current.get())) {
            log.info("run {}: ignoring {} of attempt {} (the run is at attempt {})", runId, name, event.attempt(),
                    current.get());
            history(runId, name, event.attempt(), false, "superseded: the run is at attempt " + current.get());
            return;
        }
        boolean completed = event instanceof EvaluationEvent.EvaluationCompleted;
        String reason = event instanceof EvaluationEvent.EvaluationFailed f ? f.reason() : null;
        int applied = jdbc.sql("""
                update runs set evaluation_outcome = ?, evaluation_reason = ?, evaluated_artifact = ?,
                  evaluated_attempt = ?, evaluated_at = ?, updated_at = now()
                where id = ? and status in ('QUEUED', 'RUNNING', 'EVALUATING')
                  and (evaluated_attempt is null or ?::integer is null or evaluated_attempt <= ?::integer)""")
                .params(completed ? "COMPLETED" : "FAILED", reason, event.artifactSha256(), event.attempt(),
                        Timestamp.from(event.occurredAt()), runId, event.attempt(), event.attempt())
                .update();
        history(runId, name, event.attempt(), applied > 0, applied > 0 ? event.artifactSha256() : "the run had moved on");
        finishIfComplete(runId);
    }

    /**
     * Ends the run when both halves are there: its completion applied and an evaluation of that same
     * artifact (and attempt) recorded. SUCCEEDED, or FAILED with the evaluator's reason.
     */
    private void finishIfComplete(UUID runId) {
        jdbc.sql("""
                update runs set
                  status = case evaluation_outcome when 'COMPLETED' then 'SUCCEEDED' else 'FAILED' end,
                  reason = case evaluation_outcome when 'FAILED' then 'evaluation failed: ' || evaluation_reason
                           else reason end,
                  finished_at = greatest(evaluated_at, trained_at), updated_at = now()
                where id = ? and status in ('QUEUED', 'RUNNING', 'EVALUATING')
                  and completed_attempt is not null and evaluation_outcome is not null
                  and (evaluated_artifact is null or evaluated_artifact = artifact_sha256)
                  and (evaluated_attempt is null or evaluated_attempt = completed_attempt)
                returning status""").param(runId).query(String.class).optional()
                .ifPresent(status -> history(runId, "status:" + status, null, true, null));
    }

    private int fail(UUID runId, String reason, Timestamp at) {
        int n = jdbc.sql("""
                update runs set status = 'FAILED', reason = ?, finished_at = ?, updated_at = now()
                where id = ? and status in ('QUEUED', 'RUNNING', 'EVALUATING')""").params(reason, at, runId).update();
        if (n > 0) {
            history(runId, "status:FAILED", null, true, reason);
        }
        return n;
    }

    /**
     * The run's current attempt: the newest a trainer has taken ({@code run_leases}, the trainers' table, read
     * here as the fencing token's source of truth: a takeover counts from the moment it happens, before its
     * {@code RunStarted} arrives) or reported ({@code runs.attempt}).
     */
    private static final String CURRENT_ATTEMPT =
            "greatest(r.attempt, coalesce((select l.attempt from run_leases l where l.run_id = r.id), 0))";

    /** Locks the run's row for this transaction; its current attempt, or empty if there is no such run. */
    private Optional<Integer> lockRun(UUID runId) {
        return jdbc.sql("select " + CURRENT_ATTEMPT + " from runs r where id = ? for update of r").param(runId)
                .query(Integer.class).optional();
    }

    /** Whether an event of {@code attempt} comes from a trainer that another attempt has replaced. */
    static boolean superseded(Integer attempt, int current) {
        return attempt != null && attempt < current;
    }

    private void history(UUID runId, String event, Integer attempt, boolean applied, String detail) {
        jdbc.sql("""
                insert into run_history (run_id, event, attempt, applied, detail)
                select ?, ?, ?, ?, ? where exists (select 1 from runs where id = ?)""")
                .params(runId, event, attempt, applied, detail, runId).update();
    }
}
