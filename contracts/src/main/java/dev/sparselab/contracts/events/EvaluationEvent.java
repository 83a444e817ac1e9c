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

    /** The evaluation of the run is stored. */
    record EvaluationCompleted(UUID eventId, Instant occurredAt, int schemaVersion, UUID runId,
                               double testAccuracy, double sparsity) implements EvaluationEvent {
        public EvaluationCompleted(UUID runId, double testAccuracy, double sparsity) {
            this(UUID.randomUUID(), Instant.now(), 1, runId, testAccuracy, sparsity);
        }
    }

    /** The run's model could not be evaluated. */
    record EvaluationFailed(UUID eventId, Instant occurredAt, int schemaVersion, UUID runId,
                            String reason) implements EvaluationEvent {
        public EvaluationFailed(UUID runId, String reason) {
            this(UUID.randomUUID(), Instant.now(), 1, runId, reason);
        }
    }
}
