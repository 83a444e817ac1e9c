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
}
