package dev.sparselab.evaluator;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the evaluator.
 *
 * @param datasetsDir the folder that holds {@code fashion-mnist/}
 * @param sendTimeout how long to wait for Kafka to acknowledge an event
 */
@ConfigurationProperties("sparselab.evaluator")
public record EvaluatorProperties(
        @DefaultValue("/usr/share/datasets") Path datasetsDir,
        @DefaultValue("30s") Duration sendTimeout) {
}
