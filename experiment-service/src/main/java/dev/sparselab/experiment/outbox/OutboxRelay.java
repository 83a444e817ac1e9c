package dev.sparselab.experiment.outbox;

import dev.sparselab.experiment.ExperimentProperties;
import dev.sparselab.messaging.ConsumerErrorHandling;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers outbox rows to Kafka in id order, at least once: a row is marked published only after the
 * broker acknowledged it, in the same transaction that locked it ({@code FOR UPDATE SKIP LOCKED}, so
 * several relays never send the same row concurrently). A crash between the acknowledgement and the
 * commit re-sends the row; consumers are idempotent on the event id, so delivery is exactly once in
 * effect.
 *
 * <p>Two kinds of failure are told apart. While Kafka is unreachable (a time-out, a retriable error) the
 * batch stops at the first failure and is tried again on the next tick (every {@code outbox-poll}, so the
 * relay resumes within a tick of the broker's return). A row the broker refuses for itself (too large, an
 * invalid topic: an error that will not go away) does not hold back the rows after it: it is counted, tried
 * again on later ticks, and after {@code outbox-max-attempts} tries parked with its error
 * ({@code parked_at}; listed by {@code GET /api/v1/admin/outbox/parked}).
 */
@Component
class OutboxRelay {
    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private final JdbcClient jdbc;
    private final KafkaTemplate<String, String> kafka;
    private final TransactionTemplate tx;
    private final ExperimentProperties props;

    private final Tracer tracer;
    private final Propagator propagator;

    OutboxRelay(JdbcClient jdbc, KafkaTemplate<String, String> kafka, TransactionTemplate tx,
                ExperimentProperties props, ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        this.tracer = tracer.getIfAvailable(() -> Tracer.NOOP);
        this.propagator = propagator.getIfAvailable(() -> Propagator.NOOP);
        this.jdbc = jdbc;
        this.kafka = kafka;
        this.tx = tx;
        this.props = props;
    }

    record Row(long id, String topic, String key, String payload, int attempts, String traceParent) {
    }

    @Scheduled(fixedDelayString = "${sparselab.experiment.outbox-poll:200ms}")
    void relay() {
        Integer handled;
        try {
            do {
                handled = tx.execute(status -> relayBatch());
            } while (handled != null && handled == props.outboxBatch());
        } catch (RuntimeException e) {
            if (!ConsumerErrorHandling.isOutage(e)) {
                throw e;
            }
            log.warn("outbox relay waits for the database: {}", e.toString());
        }
    }

    /** Relays one batch; returns how many rows were handled (sent, or failed for themselves), -1 on an outage. */
    private int relayBatch() {
        List<Row> rows = jdbc.sql("""
                select id, topic, aggregate_id, payload::text, attempts, trace_parent from outbox
                where published_at is null and parked_at is null order by id limit ? for update skip locked""")
                .param(props.outboxBatch())
                .query((rs, i) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getInt(5), rs.getString(6)))
                .list();
        int handled = 0;
        for (Row row : rows) {
            // in the row's trace: the producer's span (and the record's traceparent header) continue it
            Span span = row.traceParent() == null ? null
                    : propagator.extract(java.util.Map.of("traceparent", row.traceParent()), java.util.Map::get)
                    .name("outbox relay").tag("messaging.destination.name", row.topic()).start();
            try (Tracer.SpanInScope scope = span == null ? null : tracer.withSpan(span)) {
                kafka.send(row.topic(), row.key(), row.payload())
                        .get(props.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                if (isOutage(e)) {
                    log.warn("outbox row {} to {} not delivered yet: {}", row.id(), row.topic(), e.toString());
                    jdbc.sql("update outbox set attempts = attempts + 1, last_error = ? where id = ?")
                            .params(String.valueOf(e), row.id()).update();
                    return -1;
                }
                boolean park = row.attempts() + 1 >= props.outboxMaxAttempts();
                if (park) {
                    log.error("outbox row {} to {} parked after {} tries: {}", row.id(), row.topic(),
                            row.attempts() + 1, describe(e));
                } else {
                    log.warn("outbox row {} to {} refused (try {}): {}", row.id(), row.topic(), row.attempts() + 1,
                            e.toString());
                }
                jdbc.sql("""
                        update outbox set attempts = attempts + 1, last_error = ?,
                          parked_at = case when ? then now() end where id = ?""")
                        .params(describe(e), park, row.id()).update();
                handled++;
                continue;
            } finally {
                if (span != null) {
                    span.end();
                }
            }
            jdbc.sql("update outbox set published_at = now(), attempts = attempts + 1 where id = ?")
                    .param(row.id()).update();
            handled++;
        }
        return handled;
    }

    /** The failure and its causes, outermost first (the broker's reason is usually the innermost). */
    static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 2000; t = t.getCause()) {
            b.append(b.isEmpty() ? "" : " <- ").append(t);
        }
        return b.toString();
    }

    /** Kafka away (time-out, retriable error, interrupted): as opposed to a record the broker refuses for itself. */
    static boolean isOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException || t instanceof InterruptedException) {
                return true;
            }
        }
        return ConsumerErrorHandling.isOutage(e);
    }
}
