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
 * @param prefetch            runs released beyond the live trainers' slots (keeps lag for autoscaling)
 * @param maxActivePerUser    most runs of one owner released or running at once (0: no limit)
 * @param trainerTimeout      a trainer whose heartbeat is older than this no longer counts
 * @param orphanGrace         how long after its lease expired a RUNNING run is requested again
 * @param outboxMaxAttempts   tries of an outbox row that fails for a reason other than an outage (a record
 *                            the broker refuses) before it is parked, so that the rows after it go on
 * @param manageTopics        create the Kafka topics at start when missing; false where something else owns
 *                            them (Strimzi's {@code KafkaTopic} resources on Kubernetes)
 */
@ConfigurationProperties("sparselab.experiment")
public record ExperimentProperties(
        @DefaultValue("4") int requestedPartitions,
        @DefaultValue("100") int outboxBatch,
        @DefaultValue("10s") Duration sendTimeout,
        @DefaultValue("2") int prefetch,
        @DefaultValue("8") int maxActivePerUser,
        @DefaultValue("30s") Duration trainerTimeout,
        @DefaultValue("5s") Duration orphanGrace,
        @DefaultValue("5") int outboxMaxAttempts,
        @DefaultValue("true") boolean manageTopics) {
}
