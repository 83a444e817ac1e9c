package dev.sparselab.trainer;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunEvent;
import dev.sparselab.contracts.events.RunRequested;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.core.data.Dataset;
import dev.sparselab.core.data.DatasetCache;
import dev.sparselab.core.data.DatasetUnavailableException;
import dev.sparselab.core.train.Engines;
import dev.sparselab.core.train.SparseTrainer;
import dev.sparselab.core.train.TrainingCancelledException;
import dev.sparselab.core.train.TrainingFailedException;
import dev.sparselab.db.ArtifactStore;
import dev.sparselab.db.ProcessedEvents;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;

/**
 * Executes one requested run: reports it started, trains it with {@link SparseTrainer}, reports its
 * metrics, stores the model artifact and reports it completed, or failed with a reason. A request is
 * recorded as processed only when the run has reached a terminal event, so a trainer that dies
 * mid-run leaves the request to be redelivered.
 */
@Service
class TrainingJobs {
    private static final Logger log = LoggerFactory.getLogger(TrainingJobs.class);

    private final DatasetCache datasets;
    private final ArtifactStore artifacts;
    private final ProcessedEvents ledger;
    private final KafkaTemplate<String, String> kafka;
    private final TrainerProperties props;
    private final String trainerName;
    private final Cancellations cancellations;
    private final JdbcClient jdbc;

    TrainingJobs(DatasetCache datasets, ArtifactStore artifacts, ProcessedEvents ledger,
                 KafkaTemplate<String, String> kafka, TrainerProperties props, Cancellations cancellations,
                 JdbcClient jdbc) {
        this.cancellations = cancellations;
        this.jdbc = jdbc;
        this.datasets = datasets;
        this.artifacts = artifacts;
        this.ledger = ledger;
        this.kafka = kafka;
        this.props = props;
        this.trainerName = props.name() != null ? props.name() : ManagementFactory.getRuntimeMXBean().getName();
    }

    void execute(RunRequested request) {
        if (ledger.isProcessed(request.eventId())) {
            log.info("run {} was already trained (request {}), skipping", request.runId(), request.eventId());
            return;
        }
        String status = jdbc.sql("select status from runs where id = ?").param(request.runId()).query(String.class)
                .optional().orElse("QUEUED");
        if ("CANCELLED".equals(status)) {
            log.info("run {} was cancelled before it started, skipping", request.runId());
            ledger.markProcessed(request.eventId());
            return;
        }
        ExperimentSpec spec = request.spec();
        publish(new RunEvent.RunStarted(request.runId(), trainerName, Engines.device().toString()));
        log.info("training run {} ({})", request.runId(), spec.name());
        try {
            Dataset train = datasets.get(spec.dataset(), spec.training().seed(), true);
            SparseTrainer.Result result = new SparseTrainer(spec, train,
                    points -> publish(new RunEvent.MetricsReported(request.runId(), points)))
                    .cancelWhen(() -> cancellations.isCancelled(request.runId()))
                    .run();
            String sha = artifacts.put("model", result.artifact().toBytes());
            publish(new RunEvent.RunCompleted(request.runId(), sha, result.provenance()));
            log.info("run {} trained: {} samples/s, artifact {}", request.runId(),
                    Math.round(result.provenance().samplesPerSecond()), sha);
        } catch (TrainingCancelledException e) {
            log.info("run {} stopped: {}", request.runId(), e.getMessage());
        } catch (DatasetUnavailableException | TrainingFailedException e) {
            publish(new RunEvent.RunFailed(request.runId(), e.getMessage()));
        } catch (OutOfMemoryError e) {
            publish(new RunEvent.RunFailed(request.runId(), "out of memory while training: " + e.getMessage()));
        } catch (RuntimeException e) {
            log.error("run {} failed", request.runId(), e);
            publish(new RunEvent.RunFailed(request.runId(), "trainer error: " + e));
        }
        ledger.markProcessed(request.eventId());
    }

    private void publish(RunEvent event) {
        try {
            kafka.send(Topics.RUN_EVENTS, event.runId().toString(), EventCodec.encode(event))
                    .get(props.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reporting " + event, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot report " + event.getClass().getSimpleName()
                    + " of run " + event.runId() + ": " + e, e);
        }
    }
}
