package dev.sparselab.experiment.outbox;

import dev.sparselab.experiment.ExperimentProperties;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * effect. When Kafka is unavailable the batch stops at the first failure and is retried on the next tick.
 */
@Component
class OutboxRelay {
    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private final JdbcClient jdbc;
    private final KafkaTemplate<String, String> kafka;
    private final TransactionTemplate tx;
    private final ExperimentProperties props;

    OutboxRelay(JdbcClient jdbc, KafkaTemplate<String, String> kafka, TransactionTemplate tx,
                ExperimentProperties props) {
        this.jdbc = jdbc;
        this.kafka = kafka;
        this.tx = tx;
        this.props = props;
    }

    record Row(long id, String topic, String key, String payload) {
    }

    @Scheduled(fixedDelayString = "${sparselab.experiment.outbox-poll:200ms}")
    void relay() {
        Integer sent;
        try {
            do {
                sent = tx.execute(status -> relayBatch());
            } while (sent != null && sent == props.outboxBatch());
        } catch (RuntimeException e) {
            if (!dev.sparselab.messaging.ConsumerErrorHandling.isOutage(e)) {
                throw e;
            }
            log.warn("outbox relay waits for the database: {}", e.toString());
        }
    }

    private int relayBatch() {
        List<Row> rows = jdbc.sql("""
                select id, topic, aggregate_id, payload::text from outbox
                where published_at is null order by id limit ? for update skip locked""")
                .param(props.outboxBatch())
                .query((rs, i) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .list();
        int sent = 0;
        for (Row row : rows) {
            try {
                kafka.send(row.topic(), row.key(), row.payload())
                        .get(props.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                log.warn("outbox row {} to {} not delivered yet: {}", row.id(), row.topic(), e.toString());
                jdbc.sql("update outbox set attempts = attempts + 1, last_error = ? where id = ?")
                        .params(String.valueOf(e), row.id()).update();
                return -1;
            }
            jdbc.sql("update outbox set published_at = now(), attempts = attempts + 1 where id = ?")
                    .param(row.id()).update();
            sent++;
        }
        return sent;
    }
}
