package dev.sparselab.contracts.events;

import java.time.Instant;
import java.util.UUID;

/** On {@code sparselab.run.control}: stop this run wherever it is being trained. */
public record RunCancelRequested(UUID eventId, Instant occurredAt, int schemaVersion, UUID runId, String by) {
    public static RunCancelRequested of(UUID runId, String by) {
        return new RunCancelRequested(UUID.randomUUID(), Instant.now(), 1, runId, by);
    }
}
