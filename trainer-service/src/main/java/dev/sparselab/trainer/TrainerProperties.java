package dev.sparselab.trainer;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of a trainer, checked at start-up (a bad value stops the trainer with a message naming the setting).
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
@Validated
@ConfigurationProperties("sparselab.trainer")
public record TrainerProperties(
        @DefaultValue("/usr/share/datasets") @NotNull Path datasetsDir,
        @DefaultValue("/usr/share/games/fortunes") @NotNull Path textDir,
        String name,
        @DefaultValue("30s") @NotNull Duration sendTimeout,
        @Positive Integer slots,
        @DefaultValue("15s") @NotNull Duration leaseTtl,
        @DefaultValue("3s") @NotNull Duration heartbeat,
        @DefaultValue("5m") @NotNull Duration checkpointInterval) {

    /**
     * A lease must outlive a few heartbeats: with a heartbeat of half the lease or more, one slow renewal lets the
     * lease expire under a live trainer, which then stops its run (fencing) and another takes it over.
     */
    @AssertTrue(message = "heartbeat must be positive and shorter than half of lease-ttl; send-timeout and "
            + "checkpoint-interval must be positive")
    public boolean isTimingValid() {
        return leaseTtl == null || heartbeat == null || sendTimeout == null || checkpointInterval == null
                || positive(heartbeat) && heartbeat.multipliedBy(2).compareTo(leaseTtl) < 0
                && positive(sendTimeout) && positive(checkpointInterval);
    }

    private static boolean positive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }
}
