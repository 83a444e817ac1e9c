package dev.sparselab.evaluator;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunEvent;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Evaluates every run that completes training; other run events are not the evaluator's concern. */
@Component
class RunCompletedListener {
    private final Evaluations evaluations;

    RunCompletedListener(Evaluations evaluations) {
        this.evaluations = evaluations;
    }

    @KafkaListener(topics = Topics.RUN_EVENTS, groupId = "evaluators")
    void onRunEvent(String payload) {
        if (EventCodec.decode(payload, RunEvent.class) instanceof RunEvent.RunCompleted completed) {
            evaluations.evaluate(completed);
        }
    }
}
