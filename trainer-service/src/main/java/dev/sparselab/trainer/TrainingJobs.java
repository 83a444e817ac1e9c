package dev.sparselab.trainer;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunEvent;
import dev.sparselab.contracts.events.RunRequested;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.core.data.DatasetCache;
import dev.sparselab.core.data.DatasetUnavailableException;
import dev.sparselab.core.run.Trainers;
import dev.sparselab.core.train.Checkpoint;
import dev.sparselab.core.train.Checkpointer;
import dev.sparselab.core.train.TrainingLoop;
import dev.sparselab.core.train.TrainingResult;
import dev.sparselab.core.train.TrainingCancelledException;
import dev.sparselab.core.train.TrainingFailedException;
import dev.sparselab.db.ArtifactStore;
import dev.sparselab.db.ProcessedEvents;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;

/**
 * Executes one requested run: takes its lease, reports it started (or resumed), trains it with
 * its {@link TrainingLoop} from its last checkpoint if it has one, checkpoints as it goes, reports its
 * metrics, stores the model artifact and reports it completed, or failed with a reason. A request is
 * recorded as processed only when the run has reached a terminal event, so a trainer that dies mid-run
 * leaves the request to be redelivered, and the next trainer resumes the run.
 */
@Service
class TrainingJobs {
    private static final Logger log = LoggerFactory.getLogger(TrainingJobs.class);
    private static final long LEASE_POLL_MILLIS = 500;

    private final DatasetCache datasets;
    private final ArtifactStore artifacts;
    private final ProcessedEvents ledger;
    private final KafkaTemplate<String, String> kafka;
    private final TrainerProperties props;
    private final TrainerIdentity identity;
    private final Cancellations cancellations;
    private final Leases leases;
    private final Checkpoints checkpoints;
    private final java.time.Clock clock;
    private final TrainerMetrics meters;

    TrainingJobs(DatasetCache datasets, ArtifactStore artifacts, ProcessedEvents ledger,
                 KafkaTemplate<String, String> kafka, TrainerProperties props, TrainerIdentity identity,
                 Cancellations cancellations, Leases leases, Checkpoints checkpoints, java.time.Clock clock,
                 TrainerMetrics meters) {
        this.clock = clock;
        this.meters = meters;
        this.datasets = datasets;
        this.artifacts = artifacts;
        this.ledger = ledger;
        this.kafka = kafka;
        this.props = props;
        this.identity = identity;
        this.cancellations = cancellations;
        this.leases = leases;
        this.checkpoints = checkpoints;
    }

    private volatile boolean stopping;

    /**
     * The trainer is shutting down (SIGTERM, a scale-down): runs stop at their next step and are handed
     * back (lease released, request not committed), so another trainer resumes them at once from their
     * last checkpoint instead of waiting for the lease to expire.
     */
    @org.springframework.context.event.EventListener(org.springframework.context.event.ContextClosedEvent.class)
    void onShutdown() {
        stopping = true;
    }

    /** Training was interrupted because this trainer is shutting down; the run is left to another trainer. */
    static final class HandedBackException extends RuntimeException {
        HandedBackException(UUID runId) {
            super("run " + runId + " handed back: the trainer is shutting down");
        }
    }

    void execute(RunRequested request) {
        UUID runId = request.runId();
        if (ledger.isProcessed(request.eventId())) {
            log.info("run {} was already trained (request {}), skipping", runId, request.eventId());
            return;
        }
        Leases.Claim claim = claimWaiting(runId);
        if (claim instanceof Leases.Claim.Done done) {
            log.info("run {} is {}: nothing to train", runId, done.status());
            ledger.markProcessed(request.eventId());
            return;
        }
        if (claim instanceof Leases.Claim.HeldElsewhere held) {
            // a live trainer trains it; if that trainer dies, the experiment-service re-requests the run
            log.info("run {} is being trained by {}, skipping this delivery", runId, held.owner());
            return;
        }
        int attempt = ((Leases.Claim.Taken) claim).attempt();
        boolean trained = false;
        meters.started(runId);
        try {
            train(request, attempt);
            trained = true;
        } catch (Leases.LeaseLostException e) {
            // another trainer may hold the run now: write nothing more; the worker tries to take it again
            // (which waits for the other trainer's lease), so a run whose lease merely lapsed goes on at once
            throw new LeaseLapsedException(e);
        } finally {
            // fenced: releases (and, when trained, deletes the checkpoints) only if this attempt still holds it
            leases.release(runId, attempt, trained);
            meters.ended(runId, trained ? "ended" : "handed-back");
        }
        ledger.markProcessed(request.eventId());
    }

    /** This attempt lost the run's lease: retried like an outage (the next claim decides who trains it). */
    static final class LeaseLapsedException extends dev.sparselab.messaging.DependencyUnavailableException {
        LeaseLapsedException(Leases.LeaseLostException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Takes the run's lease, waiting for a lease held by a trainer that stopped renewing it to expire. */
    private Leases.Claim claimWaiting(UUID runId) {
        long deadline = clock.millis() + props.leaseTtl().toMillis() + 5_000;
        while (true) {
            Leases.Claim claim = leases.claim(runId);
            if (!(claim instanceof Leases.Claim.HeldElsewhere) || clock.millis() > deadline) {
                return claim;
            }
            try {
                Thread.sleep(LEASE_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return claim;
            }
        }
    }

    private void train(RunRequested request, int attempt) {
        UUID runId = request.runId();
        ExperimentSpec spec = request.spec();
        try {
            Optional<Checkpoint> checkpoint = attempt > 1 ? checkpoints.latest(runId) : Optional.empty();
            publish(new RunEvent.RunStarted(runId, identity.name(), identity.device(), attempt,
                    checkpoint.map(Checkpoint::step).orElse(null)));
            log.info("training run {} ({}), attempt {}{}", runId, spec.name(), attempt,
                    checkpoint.map(c -> ", resuming at step " + c.step()).orElse(""));
            TrainingResult result = trainRun(spec, runId, attempt, checkpoint);
            leases.verify(runId, attempt); // fencing: a superseded attempt stores and reports nothing
            String sha = artifacts.put("model", result.artifact().toBytes());
            publish(new RunEvent.RunCompleted(runId, sha, result.provenance(), result.stoppedEarly(), attempt));
            log.info("run {} trained{}: {} samples/s, artifact {}", runId,
                    result.stoppedEarly() ? " (stopped early after " + result.epochs() + " epochs)" : "",
                    Math.round(result.provenance().samplesPerSecond()), sha);
        } catch (ReportingFailedException | Leases.LeaseLostException e) {
            throw e; // Kafka is away, or the lease is lost: the worker retries the run (from its checkpoint)
        } catch (TrainingCancelledException e) {
            if (leases.isLost(runId)) {
                throw new Leases.LeaseLostException(runId, attempt);
            }
            if (!cancellations.isCancelled(runId)) {
                throw new HandedBackException(runId);
            }
            log.info("run {} stopped: {}", runId, e.getMessage());
        } catch (DatasetUnavailableException | TrainingFailedException e) {
            failed(runId, attempt, e.getMessage());
        } catch (OutOfMemoryError e) {
            failed(runId, attempt, "out of memory while training: " + e.getMessage());
        } catch (RuntimeException e) {
            if (dev.sparselab.messaging.ConsumerErrorHandling.isOutage(e)) {
                throw e; // PostgreSQL is away: the worker retries the run (from its checkpoint) with back-off
            }
            if (leases.isLost(runId) || e.getCause() instanceof Leases.LeaseLostException) {
                throw new Leases.LeaseLostException(runId, attempt);
            }
            log.error("run {} failed", runId, e);
            failed(runId, attempt, "trainer error: " + e);
        }
    }

    private void failed(UUID runId, int attempt, String reason) {
        leases.verify(runId, attempt);
        publish(new RunEvent.RunFailed(runId, reason, attempt));
    }

    private TrainingResult trainRun(ExperimentSpec spec, UUID runId, int attempt, Optional<Checkpoint> checkpoint) {
        TrainingLoop trainer = Trainers.forSpec(spec, datasets.forSpec(spec, true), metrics(runId, attempt))
                .cancelWhen(() -> stopping || cancellations.isCancelled(runId) || leases.isLost(runId))
                .stopEarlyWhen(() -> cancellations.shouldStopEarly(runId))
                .checkpointWith(new Policy(runId, attempt, spec.training().checkpointEvery()));
        checkpoint.ifPresent(trainer::resumeFrom);
        return trainer.run();
    }

    /** Reports metric points, tagged with this attempt; nothing once the attempt has lost its lease. */
    private dev.sparselab.core.train.TrainingListener metrics(UUID runId, int attempt) {
        return points -> {
            if (!leases.isLost(runId)) {
                publish(new RunEvent.MetricsReported(runId, points, attempt));
                meters.reported(runId, points);
            }
        };
    }

    /** Checkpoints every {@code checkpointEvery} epochs, and at least every {@code checkpointInterval}. */
    private final class Policy implements Checkpointer {
        private final UUID runId;
        private final int attempt;
        private final int every;
        private long last = System.nanoTime();

        Policy(UUID runId, int attempt, Integer every) {
            this.runId = runId;
            this.attempt = attempt;
            this.every = every == null ? 1 : every;
        }

        @Override
        public boolean due(int epochsDone, int position, long step, boolean epochEnd) {
            return epochEnd && epochsDone % every == 0
                    || System.nanoTime() - last >= props.checkpointInterval().toNanos();
        }

        @Override
        public void save(Checkpoint checkpoint) {
            checkpoints.save(runId, attempt, checkpoint, identity.name());
            last = System.nanoTime();
            log.debug("run {}: checkpoint at step {}", runId, checkpoint.step());
        }
    }

    /** An event could not be delivered to Kafka in time. */
    static final class ReportingFailedException extends dev.sparselab.messaging.DependencyUnavailableException {
        ReportingFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void publish(RunEvent event) {
        try {
            kafka.send(Topics.RUN_EVENTS, event.runId().toString(), EventCodec.encode(event))
                    .get(props.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReportingFailedException("interrupted while reporting " + event, e);
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException
                 | org.springframework.kafka.KafkaException e) {
            throw new ReportingFailedException("cannot report " + event.getClass().getSimpleName()
                    + " of run " + event.runId() + ": " + e, e);
        }
    }
}
