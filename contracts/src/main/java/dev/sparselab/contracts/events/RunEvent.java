package dev.sparselab.contracts.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What a trainer reports about a run, on {@code sparselab.run.events}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RunEvent.RunStarted.class, name = "RunStarted"),
        @JsonSubTypes.Type(value = RunEvent.MetricsReported.class, name = "MetricsReported"),
        @JsonSubTypes.Type(value = RunEvent.RunCompleted.class, name = "RunCompleted"),
        @JsonSubTypes.Type(value = RunEvent.RunFailed.class, name = "RunFailed")})
public sealed interface RunEvent {
    UUID eventId();

    Instant occurredAt();

    int schemaVersion();

    UUID runId();

    /**
     * The fencing token: the attempt of the trainer that wrote the event (its lease's attempt number).
     * The experiment-service ignores an event whose attempt is older than the run's current attempt, so a
     * trainer that lost its lease (paused past it, partitioned away) cannot change the run after another
     * trainer took it over. {@code null} only in events written before fencing existed (applied as before).
     */
    Integer attempt();

    /**
     * A trainer took the run: attempt 1 starts it, a later attempt resumes it (from a checkpoint at
     * {@code resumedFromStep}, or from scratch when there was none).
     */
    record RunStarted(UUID eventId, Instant occurredAt, int schemaVersion, UUID runId,
                      String trainer, String device, Integer attempt, Long resumedFromStep) implements RunEvent {
        public RunStarted(UUID runId, String trainer, String device) {
            this(runId, trainer, device, 1, null);
        }

        public RunStarted(UUID runId, String trainer, String device, Integer attempt, Long resumedFromStep) {
            this(UUID.randomUUID(), Instant.now(), 1, runId, trainer, device, attempt, resumedFromStep);
        }
    }

    /** A batch of metric points. */
    record MetricsReported(UUID eventId, Instant occurredAt, int schemaVersion, UUID runId,
                           List<MetricPoint> points, Integer attempt) implements RunEvent {
        public MetricsReported(UUID runId, List<MetricPoint> points) {
            this(runId, points, null);
        }

        public MetricsReported(UUID runId, List<MetricPoint> points, Integer attempt) {
            this(UUID.randomUUID(), Instant.now(), 2, runId, List.copyOf(points), attempt);
        }
    }

    /** Training finished; the trained weights and masks are the artifact with this sha256. */
    record RunCompleted(UUID eventId, Instant occurredAt, int schemaVersion, UUID runId,
                        String artifactSha256, RunProvenance provenance, Boolean stoppedEarly,
                        Integer attempt) implements RunEvent {
        public RunCompleted(UUID runId, String artifactSha256, RunProvenance provenance) {
            this(runId, artifactSha256, provenance, false, null);
        }

        public RunCompleted(UUID runId, String artifactSha256, RunProvenance provenance, boolean stoppedEarly,
                            Integer attempt) {
            this(UUID.randomUUID(), Instant.now(), 2, runId, artifactSha256, provenance, stoppedEarly, attempt);
        }
    }

    /** The run cannot finish; {@code reason} says why in words. */
    record RunFailed(UUID eventId, Instant occurredAt, int schemaVersion, UUID runId,
                     String reason, Integer attempt) implements RunEvent {
        public RunFailed(UUID runId, String reason) {
            this(runId, reason, null);
        }

        public RunFailed(UUID runId, String reason, Integer attempt) {
            this(UUID.randomUUID(), Instant.now(), 2, runId, reason, attempt);
        }
    }
}
