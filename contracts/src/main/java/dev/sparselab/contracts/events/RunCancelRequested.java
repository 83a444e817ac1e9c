package dev.sparselab.contracts.events;

import java.time.Instant;
import java.util.UUID;

/** On {@code sparselab.run.control}: stop this run wherever it is being trained (cancel it, or stop it early). */
public record RunCancelRequested(UUID eventId, Instant occurredAt, int schemaVersion, UUID runId, String by,
                                 String action) {
    /** Stop and discard: the run is CANCELLED. */
    public static final String CANCEL = "cancel";
    /** Stop at the next epoch boundary and finish the model as it is (ASHA): the run still completes. */
    public static final String STOP_EARLY = "stop-early";

    public static RunCancelRequested of(UUID runId, String by) {
        return new RunCancelRequested(UUID.randomUUID(), Instant.now(), 1, runId, by, CANCEL);
    }

    public static RunCancelRequested stopEarly(UUID runId, String by) {
        return new RunCancelRequested(UUID.randomUUID(), Instant.now(), 1, runId, by, STOP_EARLY);
    }

    public boolean isStopEarly() {
        return STOP_EARLY.equals(action);
    }
}
