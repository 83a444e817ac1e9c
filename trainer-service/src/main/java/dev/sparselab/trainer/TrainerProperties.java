package dev.sparselab.trainer;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of a trainer.
 *
 * @param datasetsDir  the folder that holds {@code fashion-mnist/} (Debian: {@code /usr/share/datasets})
 * @param name         this trainer's name in run events (default: host name and process id)
 * @param sendTimeout  how long to wait for Kafka to acknowledge an event
 */
@ConfigurationProperties("sparselab.trainer")
public record TrainerProperties(
        @DefaultValue("/usr/share/datasets") Path datasetsDir,
        String name,
        @DefaultValue("30s") Duration sendTimeout) {
}
