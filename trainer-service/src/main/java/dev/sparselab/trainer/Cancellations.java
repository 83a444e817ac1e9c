package dev.sparselab.trainer;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunCancelRequested;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;

/**
 * The runs cancelled or stopped early while this trainer runs. Two paths fill it: the control topic, read
 * whole by every trainer (a consumer group of its own, from the latest offset), so a message reaches
 * whichever trainer holds the run within milliseconds; and the run's row in PostgreSQL, read when a trainer
 * takes the run and at every lease renewal ({@link Leases}), so a message sent while no trainer was listening
 * (restarting, between runs) still takes effect within one heartbeat.
 */
@Component
class Cancellations {
    private final Set<UUID> cancelled = ConcurrentHashMap.newKeySet();
    private final Set<UUID> stopEarly = ConcurrentHashMap.newKeySet();

    /**
     * The fast path. {@code sparselab.trainer.control-topic=false} turns it off (the tests do, to show that the
     * PostgreSQL path alone stops runs).
     */
    @KafkaListener(topics = Topics.RUN_CONTROL, groupId = "trainer-control-#{T(java.util.UUID).randomUUID()}",
            properties = "auto.offset.reset=latest", autoStartup = "${sparselab.trainer.control-topic:true}")
    void onControl(String payload, Acknowledgment ack) {
        RunCancelRequested message = EventCodec.decode(payload, RunCancelRequested.class);
        (message.isStopEarly() ? stopEarly : cancelled).add(message.runId());
        // the trainer's containers ack manually (asynchronously): an unacknowledged record would hold back the next
        ack.acknowledge();
    }

    void cancel(UUID runId) {
        cancelled.add(runId);
    }

    void stopEarly(UUID runId) {
        stopEarly.add(runId);
    }

    boolean isCancelled(UUID runId) {
        return cancelled.contains(runId);
    }

    boolean shouldStopEarly(UUID runId) {
        return stopEarly.contains(runId);
    }
}
