package dev.sparselab.experiment.events;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EvaluationEvent;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunEvent;
import dev.sparselab.experiment.runs.RunEventHandler;
import dev.sparselab.messaging.ConsumerErrorHandling;
import java.util.ArrayList;
import java.util.List;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;

/** Thin Kafka listeners: decode, hand to {@link RunEventHandler}. */
@Component
public class EventListeners {
    private final RunEventHandler handler;

    EventListeners(RunEventHandler handler) {
        this.handler = handler;
    }

    /** The listener id of the run-events consumer (tests pause it to hold run events back). */
    public static final String RUN_EVENTS = "run-events";

    /**
     * Run events a poll at a time (up to 500). Consecutive metric events, of any runs, are applied together in one
     * transaction ({@link RunEventHandler#applyMetrics}); every lifecycle event alone, after the metrics before it,
     * so a run's events are applied in the order of its partition as before. When a group fails, what came before
     * it stays applied and {@link BatchListenerFailedException} names the record to go on from: the error handler
     * commits the offsets before it and retries from it ({@code ConsumerErrorHandling}: patiently while a
     * dependency is away); a group that fails for another reason is applied again one event at a time, so that
     * only the event that cannot be applied is retried and dead-lettered.
     */
    @KafkaListener(id = RUN_EVENTS, topics = Topics.RUN_EVENTS, groupId = "experiment-service", batch = "true")
    void onRunEvents(List<String> payloads) {
        List<RunEvent.MetricsReported> group = new ArrayList<>();
        int groupStart = 0;
        for (int i = 0; i < payloads.size(); i++) {
            RunEvent event;
            try {
                event = EventCodec.decode(payloads.get(i), RunEvent.class);
            } catch (RuntimeException e) {
                applyGroup(group, groupStart);
                throw new BatchListenerFailedException("run event " + i + " of the poll does not parse", e, i);
            }
            if (event instanceof RunEvent.MetricsReported metrics) {
                if (group.isEmpty()) {
                    groupStart = i;
                }
                group.add(metrics);
                continue;
            }
            applyGroup(group, groupStart);
            try {
                handler.apply(event);
            } catch (RuntimeException e) {
                throw new BatchListenerFailedException("run event " + i + " of the poll failed", e, i);
            }
        }
        applyGroup(group, groupStart);
    }

    /** Applies the group of metric events that started at {@code start}, and empties it. */
    private void applyGroup(List<RunEvent.MetricsReported> pending, int start) {
        if (pending.isEmpty()) {
            return;
        }
        List<RunEvent.MetricsReported> group = List.copyOf(pending);
        pending.clear();
        try {
            handler.applyMetrics(group);
        } catch (RuntimeException e) {
            if (ConsumerErrorHandling.isOutage(e)) {
                throw new BatchListenerFailedException("metric events from " + start + " of the poll failed", e, start);
            }
            for (int j = 0; j < group.size(); j++) {
                try {
                    handler.apply(group.get(j));
                } catch (RuntimeException one) {
                    throw new BatchListenerFailedException("run event " + (start + j) + " of the poll failed", one,
                            start + j);
                }
            }
        }
    }

    @KafkaListener(topics = Topics.EVALUATION_EVENTS, groupId = "experiment-service")
    void onEvaluationEvent(String payload) {
        handler.apply(EventCodec.decode(payload, EvaluationEvent.class));
    }
}
