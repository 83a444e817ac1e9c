package dev.sparselab.trainer;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunRequested;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Takes runs from the work queue, one at a time per trainer. */
@Component
class RunRequestedListener {
    private final TrainingJobs jobs;

    RunRequestedListener(TrainingJobs jobs) {
        this.jobs = jobs;
    }

    @KafkaListener(topics = Topics.RUN_REQUESTED, groupId = "trainers")
    void onRunRequested(String payload) {
        jobs.execute(EventCodec.decode(payload, RunRequested.class));
    }
}
