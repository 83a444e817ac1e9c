package dev.sparselab.experiment.runs;

import dev.sparselab.contracts.events.EvaluationEvent;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.events.RunEvent;
import dev.sparselab.db.ProcessedEvents;
import java.sql.Timestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies trainer and evaluator events to runs. Each event is applied once (processed-event ledger, in
 * the same transaction), and the updates are written so that the order in which the two topics
 * deliver does not matter: a status only moves forward, never out of a terminal state.
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

    @Transactional
    public void apply(RunEvent event) {
        if (!ledger.markProcessed(event.eventId())) {
            log.debug("skipping replayed event {}", event.eventId());
            return;
        }
        Timestamp at = Timestamp.from(event.occurredAt());
        if (event instanceof RunEvent.RunStarted e) {
            jdbc.sql("""
                    update runs set trainer = ?, device = ?, started_at = coalesce(started_at, ?),
                      resumed_from_step = coalesce(?, resumed_from_step),
                      status = case when status = 'QUEUED' then 'RUNNING' else status end, updated_at = now()
                    where id = ?""").params(e.trainer(), e.device(), at, e.resumedFromStep(), e.runId()).update();
        } else if (event instanceof RunEvent.MetricsReported e) {
            for (MetricPoint p : e.points()) {
                jdbc.sql("""
                        insert into run_metrics (run_id, name, step, epoch, value) values (?, ?, ?, ?, ?)
                        on conflict (run_id, name, step) do nothing""")
                        .params(e.runId(), p.name(), p.step(), p.epoch(), p.value()).update();
            }
            jdbc.sql("update runs set updated_at = now() where id = ?").param(e.runId()).update();
            asha.onMetrics(e.runId(), e.points());
        } else if (event instanceof RunEvent.RunCompleted e) {
            jdbc.sql("""
                    update runs set artifact_sha256 = ?, provenance = ?::jsonb, trained_at = ?, stopped_early = ?,
                      status = case when status in ('QUEUED', 'RUNNING') then 'EVALUATING' else status end,
                      updated_at = now()
                    where id = ?""").params(e.artifactSha256(), EventCodec.encode(e.provenance()), at,
                            Boolean.TRUE.equals(e.stoppedEarly()), e.runId())
                    .update();
        } else if (event instanceof RunEvent.RunFailed e) {
            fail(e.runId(), e.reason(), at);
        }
        if (event instanceof RunEvent.RunCompleted || event instanceof RunEvent.RunFailed) {
            scheduler.wakeUp();
        }
    }

    @Transactional
    public void apply(EvaluationEvent event) {
        if (!ledger.markProcessed(event.eventId())) {
            return;
        }
        Timestamp at = Timestamp.from(event.occurredAt());
        if (event instanceof EvaluationEvent.EvaluationCompleted e) {
            jdbc.sql("""
                    update runs set status = 'SUCCEEDED', finished_at = ?, updated_at = now()
                    where id = ? and status in ('QUEUED', 'RUNNING', 'EVALUATING')""").params(at, e.runId()).update();
        } else if (event instanceof EvaluationEvent.EvaluationFailed e) {
            fail(e.runId(), "evaluation failed: " + e.reason(), at);
        }
    }

    private void fail(java.util.UUID runId, String reason, Timestamp at) {
        jdbc.sql("""
                update runs set status = 'FAILED', reason = ?, finished_at = ?, updated_at = now()
                where id = ? and status in ('QUEUED', 'RUNNING', 'EVALUATING')""").params(reason, at, runId).update();
    }
}
