package dev.sparselab.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.experiment.access.InternalSecretProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** Bad settings stop the experiment-service at start-up, with a message naming the setting. */
class SettingsValidationTest {
    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({ExperimentProperties.class, InternalSecretProperties.class})
    static class Settings {
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Settings.class)
            .withPropertyValues("sparselab.internal-secret=0123456789abcdef");

    @Test
    void theDefaultsStart() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            ExperimentProperties p = context.getBean(ExperimentProperties.class);
            assertThat(p.outboxBatch()).isEqualTo(100);
            assertThat(p.outboxMaxAttempts()).isEqualTo(5);
        });
    }

    @Test
    void aBadValueStopsTheStartNamingTheSetting() {
        runner.withPropertyValues("sparselab.experiment.outbox-batch=0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("outboxBatch");
        });
        runner.withPropertyValues("sparselab.experiment.schedule-poll=0s").run(context ->
                assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("schedule-poll"));
    }

    @Test
    void aMissingOrShortInternalSecretStopsTheStart() {
        new ApplicationContextRunner().withUserConfiguration(Settings.class).run(context ->
                assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("internalSecret")
                        .hasMessageContaining("SPARSELAB_INTERNAL_SECRET"));
        runner.withPropertyValues("sparselab.internal-secret=short").run(context ->
                assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("at least 16"));
    }
}
