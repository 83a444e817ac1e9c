package dev.sparselab.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.Topics;
import java.time.Duration;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class TopicsConfigTest {
    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Config.TopicsConfig.class)
            .withBean(ExperimentProperties.class, () -> new ExperimentProperties(6, 100, Duration.ofSeconds(10), 2, 8,
                    Duration.ofSeconds(30), Duration.ofSeconds(5), 5, Duration.ofMillis(100), Duration.ofMillis(200),
                    true));

    @Test
    void createsEveryTopicByDefault() {
        runner.run(context -> {
            assertThat(context.getBeansOfType(NewTopic.class).values()).extracting(NewTopic::name)
                    .containsExactlyInAnyOrder(Topics.RUN_REQUESTED, Topics.RUN_EVENTS, Topics.RUN_CONTROL,
                            Topics.EVALUATION_EVENTS, Topics.RUN_REQUESTED_DLT, Topics.RUN_EVENTS_DLT,
                            Topics.RUN_CONTROL_DLT, Topics.EVALUATION_EVENTS_DLT);
            assertThat(context.getBeansOfType(NewTopic.class).values())
                    .filteredOn(t -> t.name().startsWith(Topics.RUN_REQUESTED))
                    .allSatisfy(t -> assertThat(t.numPartitions()).isEqualTo(6));
        });
    }

    @Test
    void createsNoneWhereStrimziOwnsThem() {
        runner.withPropertyValues("sparselab.experiment.manage-topics=false")
                .run(context -> assertThat(context.getBeansOfType(NewTopic.class)).isEmpty());
    }
}
