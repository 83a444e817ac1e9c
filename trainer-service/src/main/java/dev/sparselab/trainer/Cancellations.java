package dev.sparselab.trainer;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunCancelRequested;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * The runs cancelled while this trainer runs. Every trainer reads the whole control topic (a consumer
 * group of its own, from the latest offset): a cancel reaches whichever trainer holds the run.
 */
@Component
class Cancellations {
    private final Set<UUID> cancelled = ConcurrentHashMap.newKeySet();

    @KafkaListener(topics = Topics.RUN_CONTROL, groupId = "trainer-control-#{T(java.util.UUID).randomUUID()}",
            properties = "auto.offset.reset=latest")
    void onControl(String payload) {
        cancelled.add(EventCodec.decode(payload, RunCancelRequested.class).runId());
    }

    boolean isCancelled(UUID runId) {
        return cancelled.contains(runId);
    }
}
