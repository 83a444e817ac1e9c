package dev.sparselab.experiment;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the experiment-service, checked at start-up (a bad value stops the service with a message naming
 * the setting).
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
 * @param schedulePoll        how often the scheduler looks for runs to release (besides when woken up)
 * @param outboxPoll          how often the outbox relay looks for rows to send
 * @param manageTopics        create the Kafka topics at start when missing; false where something else owns
 *                            them (Strimzi's {@code KafkaTopic} resources on Kubernetes)
 */
@Validated
@ConfigurationProperties("sparselab.experiment")
public record ExperimentProperties(
        @DefaultValue("4") @Min(1) @Max(1000) int requestedPartitions,
        @DefaultValue("100") @Min(1) @Max(10_000) int outboxBatch,
        @DefaultValue("10s") @NotNull Duration sendTimeout,
        @DefaultValue("2") @Min(0) int prefetch,
        @DefaultValue("8") @Min(0) int maxActivePerUser,
        @DefaultValue("30s") @NotNull Duration trainerTimeout,
        @DefaultValue("5s") @NotNull Duration orphanGrace,
        @DefaultValue("5") @Min(1) int outboxMaxAttempts,
        @DefaultValue("100ms") @NotNull Duration schedulePoll,
        @DefaultValue("200ms") @NotNull Duration outboxPoll,
        @DefaultValue("true") boolean manageTopics) {

    /** The times must be positive: a zero send time-out or poll interval would never send or spin. */
    @AssertTrue(message = "send-timeout, trainer-timeout, schedule-poll and outbox-poll must be positive and "
            + "orphan-grace not negative")
    public boolean isTimingValid() {
        return sendTimeout == null || trainerTimeout == null || orphanGrace == null || schedulePoll == null
                || outboxPoll == null
                || positive(sendTimeout) && positive(trainerTimeout) && !orphanGrace.isNegative()
                && positive(schedulePoll) && positive(outboxPoll);
    }

    private static boolean positive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }
}
