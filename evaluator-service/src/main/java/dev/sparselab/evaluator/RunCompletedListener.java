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
    /** How long each evaluation took ({@code sparselab_evaluation_seconds}), by how it ended. */
    private final io.micrometer.core.instrument.MeterRegistry registry;

    RunCompletedListener(Evaluations evaluations, io.micrometer.core.instrument.MeterRegistry registry) {
        this.evaluations = evaluations;
        this.registry = registry;
    }

    @KafkaListener(topics = Topics.RUN_EVENTS, groupId = "evaluators")
    void onRunEvent(String payload) {
        if (EventCodec.decode(payload, RunEvent.class) instanceof RunEvent.RunCompleted completed) {
            io.micrometer.core.instrument.Timer.Sample sample = io.micrometer.core.instrument.Timer.start(registry);
            String outcome = "error";
            try {
                evaluations.evaluate(completed);
                outcome = "done";
            } finally {
                sample.stop(io.micrometer.core.instrument.Timer.builder("sparselab.evaluation")
                        .description("evaluations of trained models, from the completion event to the stored result")
                        .tag("outcome", outcome).register(registry));
            }
        }
    }
}
