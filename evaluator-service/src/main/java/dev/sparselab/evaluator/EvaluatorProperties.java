package dev.sparselab.evaluator;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the evaluator.
 *
 * @param datasetsDir the folder that holds {@code fashion-mnist/}
 * @param textDir     the folder char-lm texts are read from (as the trainers')
 * @param sendTimeout how long to wait for Kafka to acknowledge an event
 */
@ConfigurationProperties("sparselab.evaluator")
public record EvaluatorProperties(
        @DefaultValue("/usr/share/datasets") Path datasetsDir,
        @DefaultValue("/usr/share/games/fortunes") Path textDir,
        @DefaultValue("30s") Duration sendTimeout) {
}
