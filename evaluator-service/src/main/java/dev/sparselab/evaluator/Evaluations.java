package dev.sparselab.evaluator;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EvaluationEvent;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunEvent;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.DatasetCache;
import dev.sparselab.core.data.DatasetUnavailableException;
import dev.sparselab.core.eval.Evaluation;
import dev.sparselab.core.run.Evaluators;
import dev.sparselab.core.train.Engines;
import dev.sparselab.db.ArtifactStore;
import dev.sparselab.db.ProcessedEvents;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;

/**
 * Evaluates a completed run: loads its artifact, measures it on the full test split, stores the
 * evaluation, then announces it. The evaluation row is written before the announcement (so the run
 * can only become SUCCEEDED once it is stored); a redelivered completion re-announces without
 * storing twice.
 */
@Service
class Evaluations {
    private static final Logger log = LoggerFactory.getLogger(Evaluations.class);

    private final ArtifactStore artifacts;
    private final DatasetCache datasets;
    private final Evaluators evaluators;
    private final JdbcClient jdbc;
    private final ProcessedEvents ledger;
    private final KafkaTemplate<String, String> kafka;
    private final EvaluatorProperties props;

    Evaluations(ArtifactStore artifacts, DatasetCache datasets, Evaluators evaluators, JdbcClient jdbc,
                ProcessedEvents ledger, KafkaTemplate<String, String> kafka, EvaluatorProperties props) {
        this.artifacts = artifacts;
        this.datasets = datasets;
        this.evaluators = evaluators;
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.kafka = kafka;
        this.props = props;
    }

    void evaluate(RunEvent.RunCompleted completed) {
        if (ledger.isProcessed(completed.eventId())) {
            return;
        }
        EvaluationEvent outcome;
        try {
            byte[] bytes = artifacts.get(completed.artifactSha256()).orElseThrow(() -> new IllegalStateException(
                    "artifact " + completed.artifactSha256() + " of run " + completed.runId() + " is not stored"));
            ModelArtifact artifact = ModelArtifact.fromBytes(bytes);
            Evaluation e = evaluators.evaluate(artifact, datasets.forSpec(artifact.spec(), false));
            // a later attempt's model replaces an earlier attempt's evaluation (fencing); a replay changes nothing
            jdbc.sql("delete from evaluations where run_id = ? and coalesce(attempt, 0) < ?")
                    .params(completed.runId(), completed.attempt()).update();
            jdbc.sql("""
                    insert into evaluations (run_id, attempt, artifact_sha256, test_accuracy, test_loss, sparsity, parameters,
                      non_zero, examples, layers, activations, cost, nm_compliance, latency, top5_accuracy,
                      provenance, device, conditional, all_parameters, all_non_zero, all_sparsity)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?::jsonb, ?, ?::jsonb, ?, ?::jsonb,
                      ?, ?, ?)
                    on conflict (run_id) do nothing""")
                    .params(completed.runId(), completed.attempt(), completed.artifactSha256(), e.testAccuracy(), e.testLoss(),
                            e.sparsity(), e.parameters(), e.nonZero(), e.examples(), EventCodec.encode(e.layers()),
                            EventCodec.encode(e.activations()), costWithTraining(e, completed), e.nmCompliance(),
                            EventCodec.encode(e.latency()), e.top5Accuracy(), EventCodec.encode(e.provenance()),
                            Engines.device().toString(),
                            e.conditional() == null ? null : EventCodec.encode(e.conditional()),
                            e.allWeights().parameters(), e.allWeights().nonZero(), e.allWeights().sparsity())
                    .update();
            log.info("run {} evaluated: accuracy {} sparsity {}", completed.runId(), e.testAccuracy(), e.sparsity());
            outcome = new EvaluationEvent.EvaluationCompleted(completed.runId(), e.testAccuracy(), e.sparsity(),
                    completed.attempt(), completed.artifactSha256());
        } catch (DatasetUnavailableException | IllegalStateException | IllegalArgumentException e) {
            outcome = new EvaluationEvent.EvaluationFailed(completed.runId(), e.getMessage(), completed.attempt(),
                    completed.artifactSha256());
        } catch (RuntimeException e) {
            if (dev.sparselab.messaging.ConsumerErrorHandling.isOutage(e)) {
                throw e; // PostgreSQL is away: the listener retries with back-off, the run does not fail
            }
            log.error("evaluating run {} failed", completed.runId(), e);
            outcome = new EvaluationEvent.EvaluationFailed(completed.runId(), e.toString(), completed.attempt(),
                    completed.artifactSha256());
        }
        publish(outcome);
        ledger.markProcessed(completed.eventId());
    }

    /** The model's cost, plus what training it cost (reported by the trainer, following its mask schedule). */
    private static String costWithTraining(Evaluation e, RunEvent.RunCompleted completed) {
        tools.jackson.databind.node.ObjectNode cost = EventCodec.mapper().valueToTree(e.cost());
        if (completed.provenance() != null && completed.provenance().denseTrainingFlops() > 0) {
            cost.put("trainingFlops", completed.provenance().trainingFlops());
            cost.put("denseTrainingFlops", completed.provenance().denseTrainingFlops());
            cost.put("trainingFlopsRatio",
                    completed.provenance().trainingFlops() / completed.provenance().denseTrainingFlops());
        }
        return EventCodec.encode(cost);
    }

    private void publish(EvaluationEvent event) {
        try {
            kafka.send(Topics.EVALUATION_EVENTS, event.runId().toString(), EventCodec.encode(event))
                    .get(props.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.sparselab.messaging.DependencyUnavailableException("interrupted while reporting " + event, e);
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException
                 | org.springframework.kafka.KafkaException e) {
            throw new dev.sparselab.messaging.DependencyUnavailableException("cannot report evaluation of run "
                    + event.runId() + ": " + e, e);
        }
    }
}
