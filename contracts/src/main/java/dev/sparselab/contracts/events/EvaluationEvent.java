package dev.sparselab.contracts.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.UUID;

/** What the evaluator reports, on {@code sparselab.evaluation.events}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = EvaluationEvent.EvaluationCompleted.class, name = "EvaluationCompleted"),
        @JsonSubTypes.Type(value = EvaluationEvent.EvaluationFailed.class, name = "EvaluationFailed")})
public sealed interface EvaluationEvent {
    UUID eventId();

    Instant occurredAt();

    int schemaVersion();

    UUID runId();

    /** The attempt whose {@code RunCompleted} was evaluated (its fencing token); null in events before fencing. */
    Integer attempt();

    /** The sha256 of the evaluated model artifact; null in events before fencing. */
    String artifactSha256();

    /** The evaluation of the run is stored. */
    record EvaluationCompleted(UUID eventId, Instant occurredAt, int schemaVersion, UUID runId,
                               double testAccuracy, double sparsity, Integer attempt,
                               String artifactSha256) implements EvaluationEvent {
        public EvaluationCompleted(UUID runId, double testAccuracy, double sparsity) {
            this(runId, testAccuracy, sparsity, null, null);
        }

        public EvaluationCompleted(UUID runId, double testAccuracy, double sparsity, Integer attempt,
                                   String artifactSha256) {
            this(UUID.randomUUID(), Instant.now(), 2, runId, testAccuracy, sparsity, attempt, artifactSha256);
        }
    }

    /** The run's model could not be evaluated. */
    record EvaluationFailed(UUID eventId, Instant occurredAt, int schemaVersion, UUID runId,
                            String reason, Integer attempt, String artifactSha256) implements EvaluationEvent {
        public EvaluationFailed(UUID runId, String reason) {
            this(runId, reason, null, null);
        }

        public EvaluationFailed(UUID runId, String reason, Integer attempt, String artifactSha256) {
            this(UUID.randomUUID(), Instant.now(), 2, runId, reason, attempt, artifactSha256);
        }
    }
}
