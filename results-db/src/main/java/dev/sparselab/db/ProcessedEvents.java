package dev.sparselab.db;

import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The ledger that makes a consumer idempotent: call {@link #markProcessed} inside the transaction that
 * applies the event; a replayed event finds its id already there and is skipped.
 */
public class ProcessedEvents {
    private final JdbcClient jdbc;
    private final String consumer;

    public ProcessedEvents(JdbcClient jdbc, String consumer) {
        this.jdbc = jdbc;
        this.consumer = consumer;
    }

    /** Records the event; returns false when it was processed before (so the caller must skip it). */
    public boolean markProcessed(UUID eventId) {
        return jdbc.sql("insert into processed_events (consumer, event_id) values (?, ?) on conflict do nothing")
                .params(consumer, eventId).update() == 1;
    }

    /**
     * Records many events in one statement; returns the ids not processed before (the caller applies those and
     * skips the rest). An id given twice counts once.
     */
    public java.util.Set<UUID> markAllProcessed(java.util.List<UUID> eventIds) {
        return new java.util.HashSet<>(jdbc.sql("""
                        insert into processed_events (consumer, event_id)
                        select ?, id from unnest(?::uuid[]) as e(id)
                        on conflict do nothing returning event_id""")
                .params(consumer, eventIds.toArray(new UUID[0])).query(UUID.class).list());
    }

    public boolean isProcessed(UUID eventId) {
        return jdbc.sql("select count(*) from processed_events where consumer = ? and event_id = ?")
                .params(consumer, eventId).query(Long.class).single() > 0;
    }
}
