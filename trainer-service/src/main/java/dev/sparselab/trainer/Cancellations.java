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
 * The runs cancelled or stopped early while this trainer runs. Every trainer reads the whole control
 * topic (a consumer group of its own, from the latest offset): a message reaches whichever trainer holds
 * the run.
 */
@Component
class Cancellations {
    private final Set<UUID> cancelled = ConcurrentHashMap.newKeySet();
    private final Set<UUID> stopEarly = ConcurrentHashMap.newKeySet();

    @KafkaListener(topics = Topics.RUN_CONTROL, groupId = "trainer-control-#{T(java.util.UUID).randomUUID()}",
            properties = "auto.offset.reset=latest")
    void onControl(String payload, Acknowledgment ack) {
        RunCancelRequested message = EventCodec.decode(payload, RunCancelRequested.class);
        (message.isStopEarly() ? stopEarly : cancelled).add(message.runId());
        // the trainer's containers ack manually (asynchronously): an unacknowledged record would hold back the next
        ack.acknowledge();
    }

    boolean isCancelled(UUID runId) {
        return cancelled.contains(runId);
    }

    boolean shouldStopEarly(UUID runId) {
        return stopEarly.contains(runId);
    }
}
