package dev.sparselab.experiment.outbox;

import dev.sparselab.contracts.events.EventCodec;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Appends events to the transactional outbox. Must be called inside the transaction that changes the
 * state the event announces, so that both commit or neither does; {@link OutboxRelay} delivers them.
 */
@Component
public class Outbox {
    private final JdbcClient jdbc;

    public Outbox(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void append(String topic, String aggregateType, String aggregateId, Object event) {
        jdbc.sql("""
                insert into outbox (topic, aggregate_type, aggregate_id, type, payload)
                values (?, ?, ?, ?, ?::jsonb)""")
                .params(topic, aggregateType, aggregateId, event.getClass().getSimpleName(), EventCodec.encode(event))
                .update();
    }

    /** An outbox row set aside after bounded tries, with the broker's last error. */
    public record Parked(long id, String topic, String key, String type, int attempts, String lastError,
                         java.time.Instant createdAt, java.time.Instant parkedAt) {
    }

    /** Parked rows, newest first. */
    public java.util.List<Parked> parked(int limit) {
        return jdbc.sql("""
                select id, topic, aggregate_id, type, attempts, last_error, created_at, parked_at from outbox
                where parked_at is not null and published_at is null order by id desc limit ?""").param(limit)
                .query((rs, i) -> new Parked(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getInt(5), rs.getString(6), rs.getTimestamp(7).toInstant(), rs.getTimestamp(8).toInstant()))
                .list();
    }
}
