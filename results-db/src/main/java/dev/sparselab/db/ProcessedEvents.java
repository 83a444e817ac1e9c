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

    public boolean isProcessed(UUID eventId) {
        return jdbc.sql("select count(*) from processed_events where consumer = ? and event_id = ?")
                .params(consumer, eventId).query(Long.class).single() > 0;
    }
}
