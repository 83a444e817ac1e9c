package dev.sparselab.messaging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.backoff.FixedBackOff;

/**
 * How every SparseLab consumer handles a record its listener throws on (Spring Kafka's
 * {@link DefaultErrorHandler}, installed into Boot's listener containers):
 * <ul>
 *   <li>a record that can never be processed (it does not parse, or breaks a constraint) is retried
 *       {@value #POISON_ATTEMPTS} times, then published to {@code <topic>-dlt} with the failure in its
 *       headers, and the consumer goes on with the next record;</li>
 *   <li>while a dependency is away (PostgreSQL down, Kafka unreachable: transient and connection errors),
 *       the record is retried with exponential back-off from 250 ms up to {@value #MAX_OUTAGE_BACKOFF_MS} ms,
 *       without limit: nothing is lost and nothing is dead-lettered because of an outage, and a consumer
 *       resumes within two seconds of the dependency's return (a longer cap left consumers idle for up to
 *       30 s after an outage while others had moved on).</li>
 * </ul>
 */
@AutoConfiguration(afterName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@org.springframework.boot.autoconfigure.condition.ConditionalOnBean(KafkaTemplate.class)
public class ConsumerErrorHandling {
    /** The dead-letter twin of a topic (Spring Kafka's default naming). */
    public static String deadLetterTopic(String topic) {
        return topic + "-dlt";
    }

    static final int POISON_ATTEMPTS = 3;
    private static final Logger log = LoggerFactory.getLogger(ConsumerErrorHandling.class);

    @Bean
    CommonErrorHandler sparselabErrorHandler(KafkaTemplate<Object, Object> template) {
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(template);
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, new FixedBackOff(500, POISON_ATTEMPTS - 1));
        handler.setBackOffFunction((record, e) -> isOutage(e) ? outageBackOff() : null);
        handler.setRetryListeners((record, e, attempt) -> {
            if (isOutage(e)) {
                log.warn("{}-{}@{}: a dependency is unavailable (attempt {}), retrying: {}", record.topic(),
                        record.partition(), record.offset(), attempt, rootMessage(e));
            }
        });
        return handler;
    }

    /** The longest wait between two tries of a record while a dependency is away. */
    public static final long MAX_OUTAGE_BACKOFF_MS = 2_000;

    static BackOff outageBackOff() {
        ExponentialBackOff backOff = new ExponentialBackOff(250, 2.0);
        backOff.setMaxInterval(MAX_OUTAGE_BACKOFF_MS);
        return backOff; // unlimited attempts
    }

    /** Whether the failure is a dependency being away (retry patiently) rather than a bad record. */
    public static boolean isOutage(Throwable e) {
        if (dev.sparselab.db.Outages.isDatabaseOutage(e)) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DependencyUnavailableException
                    || t instanceof org.apache.kafka.common.errors.RetriableException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.toString();
    }
}
