package dev.sparselab.experiment.outbox;

import dev.sparselab.contracts.events.EventCodec;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.beans.factory.ObjectProvider;
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
    private final Tracer tracer;
    private final Propagator propagator;

    @org.springframework.beans.factory.annotation.Autowired
    public Outbox(JdbcClient jdbc, ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        this.jdbc = jdbc;
        this.tracer = tracer.getIfAvailable(() -> Tracer.NOOP);
        this.propagator = propagator.getIfAvailable(() -> Propagator.NOOP);
    }

    /** Without tracing (tests). */
    public Outbox(JdbcClient jdbc) {
        this.jdbc = jdbc;
        this.tracer = Tracer.NOOP;
        this.propagator = Propagator.NOOP;
    }

    /**
     * Appends an event; when the caller is traced (an HTTP request, a consumed record), the row keeps the trace's W3C
     * {@code traceparent} and the relay publishes it in that trace.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void append(String topic, String aggregateType, String aggregateId, Object event) {
        append(topic, aggregateType, aggregateId, event, traceParent());
    }

    /** Appends an event that belongs to the given trace (a W3C traceparent kept from an earlier request), or none. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void append(String topic, String aggregateType, String aggregateId, Object event, String traceParent) {
        jdbc.sql("""
                insert into outbox (topic, aggregate_type, aggregate_id, type, payload, trace_parent)
                values (?, ?, ?, ?, ?::jsonb, ?)""")
                .params(topic, aggregateType, aggregateId, event.getClass().getSimpleName(), EventCodec.encode(event),
                        traceParent)
                .update();
    }

    /** The current trace's W3C traceparent (in a traced request or consumer), else null. */
    public String traceParent() {
        Span span = tracer.currentSpan();
        if (span == null) {
            return null;
        }
        java.util.Map<String, String> carrier = new java.util.HashMap<>();
        propagator.inject(span.context(), carrier, java.util.Map::put);
        return carrier.get("traceparent");
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
