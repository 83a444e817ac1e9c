package dev.sparselab.trainer;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.RunRequested;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;

/**
 * Takes runs from the work queue into this trainer's slots. The listener only hands a request to a worker
 * thread; while every slot is busy the container is paused, so the consumer keeps polling (and stays in
 * the group) however long a run takes. A request's offset is committed (acknowledged, out of order if
 * need be) only when its run has reached a durable state: trained and reported, failed, cancelled, or
 * found held by a live trainer. A trainer that dies leaves its requests uncommitted, so they are
 * delivered again to the group and the runs resume from their checkpoints.
 */
@Component
class RunRequestedListener {
    static final String ID = "run-requests";
    private static final Logger log = LoggerFactory.getLogger(RunRequestedListener.class);
    /** Short, so that a run goes on within seconds of PostgreSQL or Kafka coming back. */
    private static final Duration MAX_BACKOFF =
            Duration.ofMillis(dev.sparselab.messaging.ConsumerErrorHandling.MAX_OUTAGE_BACKOFF_MS);

    private final TrainingJobs jobs;
    private final KafkaListenerEndpointRegistry registry;
    private final Semaphore free;
    private final ExecutorService workers;
    private volatile boolean stopping;

    private final ObservationRegistry observations;

    RunRequestedListener(TrainingJobs jobs, KafkaListenerEndpointRegistry registry, TrainerIdentity identity,
                         ObjectProvider<ObservationRegistry> observations) {
        this.observations = observations.getIfAvailable(() -> ObservationRegistry.NOOP);
        this.jobs = jobs;
        this.registry = registry;
        this.free = new Semaphore(identity.slots());
        this.workers = Executors.newFixedThreadPool(identity.slots(), r -> {
            Thread t = new Thread(r, "trainer-slot");
            t.setDaemon(true);
            return t;
        });
    }

    @KafkaListener(id = ID, topics = Topics.RUN_REQUESTED, groupId = Topics.TRAINERS_GROUP)
    void onRunRequested(ConsumerRecord<String, String> record, Acknowledgment ack) {
        RunRequested request = EventCodec.decode(record.value(), RunRequested.class);
        free.acquireUninterruptibly();
        if (free.availablePermits() == 0) {
            container().pause();
        }
        // the training is a span of the request's trace (the record's traceparent, continued by the listener's
        // observation): the run's events, sent from the worker thread, carry it on to the services that consume them
        Observation parent = observations.getCurrentObservation();
        workers.execute(() -> Observation.createNotStarted("sparselab.training", observations)
                .parentObservation(parent)
                .contextualName("train run")
                .highCardinalityKeyValue("sparselab.run.id", request.runId().toString())
                .observe(() -> {
                    try {
                        if (runWithRetries(request)) {
                            acknowledge(ack, record);
                        }
                    } finally {
                        free.release();
                        container().resume();
                    }
                }));
    }

    /** Trains the run; when Kafka or PostgreSQL is away, tries again with back-off (resuming from its checkpoint). */
    private boolean runWithRetries(RunRequested request) {
        Duration backoff = Duration.ofMillis(250);
        while (!stopping) {
            try {
                jobs.execute(request);
                return true;
            } catch (TrainingJobs.HandedBackException e) {
                log.info(e.getMessage());
                return false;
            } catch (RuntimeException e) {
                if (stopping) {
                    return false;
                }
                log.warn("run {} could not be processed ({}); retrying in {} ms", request.runId(), e.toString(),
                        backoff.toMillis());
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
        return false; // shutting down: the request stays uncommitted and the run is resumed elsewhere
    }

    private static void acknowledge(Acknowledgment ack, ConsumerRecord<String, String> record) {
        try {
            ack.acknowledge();
        } catch (IllegalStateException e) {
            // the partition was reassigned while the run trained (e.g. the broker restarted): the new owner
            // gets the request again and skips it, since the run is recorded as trained
            log.info("{}-{}@{} was reassigned before its run ended; not committing it here", record.topic(),
                    record.partition(), record.offset());
        }
    }

    private MessageListenerContainer container() {
        return registry.getListenerContainer(ID);
    }

    @org.springframework.context.event.EventListener(org.springframework.context.event.ContextClosedEvent.class)
    void onShutdown() {
        stopping = true;
    }

    @PreDestroy
    void stop() throws InterruptedException {
        stopping = true;
        workers.shutdownNow();
        workers.awaitTermination(10, TimeUnit.SECONDS);
    }
}
