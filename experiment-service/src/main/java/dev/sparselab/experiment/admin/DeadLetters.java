package dev.sparselab.experiment.admin;

import dev.sparselab.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.stereotype.Component;

/**
 * Keeps every dead letter (from any consumer of the platform) in {@code dead_letters}, with where it came
 * from and why it failed, so that an admin can see them through the API. Recording is idempotent
 * (original topic, partition, offset and consumer group).
 */
@Component
class DeadLetters {
    private final JdbcClient jdbc;

    DeadLetters(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A record no consumer could process. */
    public record DeadLetter(long id, String topic, int partition, long offset, String key, String payload,
                             String consumerGroup, String error, Instant createdAt) {
    }

    @KafkaListener(topics = {Topics.RUN_REQUESTED_DLT, Topics.RUN_EVENTS_DLT, Topics.RUN_CONTROL_DLT,
            Topics.EVALUATION_EVENTS_DLT}, groupId = "experiment-service-dead-letters")
    void onDeadLetter(ConsumerRecord<String, String> record) {
        String topic = header(record, KafkaHeaders.DLT_ORIGINAL_TOPIC, record.topic());
        int partition = intHeader(record, KafkaHeaders.DLT_ORIGINAL_PARTITION, record.partition());
        long offset = longHeader(record, KafkaHeaders.DLT_ORIGINAL_OFFSET, record.offset());
        String error = header(record, KafkaHeaders.DLT_EXCEPTION_FQCN, "?") + ": "
                + header(record, KafkaHeaders.DLT_EXCEPTION_MESSAGE, "");
        jdbc.sql("""
                insert into dead_letters (topic, partition, "offset", record_key, payload, consumer_group, error)
                values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing""")
                .params(topic, partition, offset, record.key(), record.value(),
                        header(record, KafkaHeaders.DLT_ORIGINAL_CONSUMER_GROUP, null), error)
                .update();
    }

    public List<DeadLetter> list(int limit) {
        return jdbc.sql("""
                select id, topic, partition, "offset", record_key, payload, consumer_group, error, created_at
                from dead_letters order by id desc limit ?""").param(limit)
                .query((rs, i) -> new DeadLetter(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getLong(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                        rs.getTimestamp(9).toInstant()))
                .list();
    }

    private static String header(ConsumerRecord<?, ?> record, String name, String fallback) {
        Header h = record.headers().lastHeader(name);
        return h == null ? fallback : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static int intHeader(ConsumerRecord<?, ?> record, String name, int fallback) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value().length != 4 ? fallback : java.nio.ByteBuffer.wrap(h.value()).getInt();
    }

    private static long longHeader(ConsumerRecord<?, ?> record, String name, long fallback) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value().length != 8 ? fallback : java.nio.ByteBuffer.wrap(h.value()).getLong();
    }
}
