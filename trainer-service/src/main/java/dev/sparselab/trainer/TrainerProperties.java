package dev.sparselab.trainer;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of a trainer.
 *
 * @param datasetsDir        the folder that holds {@code fashion-mnist/} (Debian: {@code /usr/share/datasets})
 * @param textDir            the folder char-lm texts are read from (Debian's {@code fortunes} package installs
 *                           {@code /usr/share/games/fortunes})
 * @param name               this trainer's name in run events (default: host name and process id)
 * @param sendTimeout        how long to wait for Kafka to acknowledge an event
 * @param slots              runs trained at once (default: one per GPU, else one)
 * @param leaseTtl           how long a run stays held by this trainer without a heartbeat; after that
 *                           another trainer may resume it
 * @param heartbeat          how often held runs' leases (and this trainer's row) are renewed
 * @param checkpointInterval the longest time between checkpoints (besides every {@code checkpointEvery}
 *                           epochs of the spec); taken at the next step boundary, mid-epoch if need be
 */
@ConfigurationProperties("sparselab.trainer")
public record TrainerProperties(
        @DefaultValue("/usr/share/datasets") Path datasetsDir,
        @DefaultValue("/usr/share/games/fortunes") Path textDir,
        String name,
        @DefaultValue("30s") Duration sendTimeout,
        Integer slots,
        @DefaultValue("15s") Duration leaseTtl,
        @DefaultValue("3s") Duration heartbeat,
        @DefaultValue("5m") Duration checkpointInterval) {
}
