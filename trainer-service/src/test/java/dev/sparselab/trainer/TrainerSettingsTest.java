package dev.sparselab.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** Bad trainer settings stop the trainer at start-up, with a message naming the setting. */
class TrainerSettingsTest {
    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(TrainerProperties.class)
    static class Settings {
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Settings.class);

    @Test
    void theDefaultsStart() {
        runner.run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aHeartbeatThatCannotKeepTheLeaseAliveIsRefused() {
        runner.withPropertyValues("sparselab.trainer.heartbeat=10s", "sparselab.trainer.lease-ttl=15s")
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("shorter than half of lease-ttl"));
    }

    @Test
    void zeroSlotsAreRefused() {
        runner.withPropertyValues("sparselab.trainer.slots=0").run(context ->
                assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("slots"));
    }
}
