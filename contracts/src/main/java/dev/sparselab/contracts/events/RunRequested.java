package dev.sparselab.contracts.events;

import dev.sparselab.contracts.spec.ExperimentSpec;
import java.time.Instant;
import java.util.UUID;

/** A command for the trainers: train this run. The spec is fully resolved (defaults, seed). */
public record RunRequested(UUID eventId, Instant occurredAt, int schemaVersion,
                           UUID runId, UUID experimentId, ExperimentSpec spec) {
    public static RunRequested of(UUID runId, UUID experimentId, ExperimentSpec spec) {
        return new RunRequested(UUID.randomUUID(), Instant.now(), 1, runId, experimentId, spec);
    }
}
