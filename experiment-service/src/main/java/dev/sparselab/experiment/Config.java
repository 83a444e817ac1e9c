package dev.sparselab.experiment;

import dev.sparselab.contracts.Topics;
import dev.sparselab.contracts.spec.SpecParser;
import dev.sparselab.db.ProcessedEvents;
import java.time.Clock;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.config.TopicBuilder;

@Configuration(proxyBeanMethods = false)
class Config {
    static final String CONSUMER = "experiment-service";

    static {
        // a JsonNode (a spec, a grid point, provenance) is any JSON value in the OpenAPI document, not Jackson's
        // node internals: the web UI's types are generated from that document (openapi-typescript)
        org.springdoc.core.utils.SpringDocUtils.getConfig().replaceWithSchema(tools.jackson.databind.JsonNode.class,
                new io.swagger.v3.oas.models.media.Schema<Object>().description("any JSON value"));
        // the caller comes from the gateway's headers, not from the client's query
        org.springdoc.core.utils.SpringDocUtils.getConfig()
                .addRequestWrapperToIgnore(dev.sparselab.experiment.access.Caller.class);
    }

    /** The wall clock of every decision taken by time (scheduling passes, the run stream); tests set their own. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    SpecParser specParser() {
        return new SpecParser();
    }

    @Bean
    ProcessedEvents processedEvents(JdbcClient jdbc) {
        return new ProcessedEvents(jdbc, CONSUMER);
    }

    /**
     * The topics, created at start when missing. Off ({@code sparselab.experiment.manage-topics=false}) where
     * something else owns them: on Kubernetes, Strimzi's {@code KafkaTopic} resources (k8s/base/kafka).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "sparselab.experiment.manage-topics", havingValue = "true", matchIfMissing = true)
    static class TopicsConfig {
        @Bean
        NewTopic runRequestedTopic(ExperimentProperties props) {
            return TopicBuilder.name(Topics.RUN_REQUESTED).partitions(props.requestedPartitions()).replicas(1).build();
        }

        @Bean
        NewTopic runEventsTopic() {
            return TopicBuilder.name(Topics.RUN_EVENTS).partitions(4).replicas(1).build();
        }

        @Bean
        NewTopic runControlTopic() {
            return TopicBuilder.name(Topics.RUN_CONTROL).partitions(1).replicas(1).build();
        }

        @Bean
        NewTopic evaluationEventsTopic() {
            return TopicBuilder.name(Topics.EVALUATION_EVENTS).partitions(4).replicas(1).build();
        }

        // dead-letter twins: as many partitions as the original (a dead letter keeps its partition)
        @Bean
        NewTopic runRequestedDlt(ExperimentProperties props) {
            return TopicBuilder.name(Topics.RUN_REQUESTED_DLT).partitions(props.requestedPartitions()).replicas(1).build();
        }

        @Bean
        NewTopic runEventsDlt() {
            return TopicBuilder.name(Topics.RUN_EVENTS_DLT).partitions(4).replicas(1).build();
        }

        @Bean
        NewTopic runControlDlt() {
            return TopicBuilder.name(Topics.RUN_CONTROL_DLT).partitions(1).replicas(1).build();
        }

        @Bean
        NewTopic evaluationEventsDlt() {
            return TopicBuilder.name(Topics.EVALUATION_EVENTS_DLT).partitions(4).replicas(1).build();
        }
    }
}
