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
@org.springframework.validation.annotation.Validated
@ConfigurationProperties("sparselab.evaluator")
public record EvaluatorProperties(
        @DefaultValue("/usr/share/datasets") @jakarta.validation.constraints.NotNull Path datasetsDir,
        @DefaultValue("/usr/share/games/fortunes") @jakarta.validation.constraints.NotNull Path textDir,
        @DefaultValue("30s") @jakarta.validation.constraints.NotNull Duration sendTimeout) {
}
