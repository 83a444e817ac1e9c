package dev.sparselab.experiment;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the experiment-service.
 *
 * @param requestedPartitions partitions of {@code sparselab.run.requested}: the most runs trained at once
 * @param outboxBatch         outbox rows relayed to Kafka per transaction
 * @param sendTimeout         how long the relay waits for Kafka to acknowledge one event
 */
@ConfigurationProperties("sparselab.experiment")
public record ExperimentProperties(
        @DefaultValue("4") int requestedPartitions,
        @DefaultValue("100") int outboxBatch,
        @DefaultValue("10s") Duration sendTimeout) {
}
