package dev.sparselab.experiment.events;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EvaluationEvent;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunEvent;
import dev.sparselab.experiment.runs.RunEventHandler;
import org.springframework.kafka.annotation.KafkaListener;
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

    @KafkaListener(id = RUN_EVENTS, topics = Topics.RUN_EVENTS, groupId = "experiment-service")
    void onRunEvent(String payload) {
        handler.apply(EventCodec.decode(payload, RunEvent.class));
    }

    @KafkaListener(topics = Topics.EVALUATION_EVENTS, groupId = "experiment-service")
    void onEvaluationEvent(String payload) {
        handler.apply(EventCodec.decode(payload, EvaluationEvent.class));
    }
}
