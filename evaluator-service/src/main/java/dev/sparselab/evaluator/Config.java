package dev.sparselab.evaluator;

import dev.sparselab.core.data.DatasetCache;
import dev.sparselab.core.run.Evaluators;
import dev.sparselab.db.ArtifactStore;
import dev.sparselab.db.JdbcArtifactStore;
import dev.sparselab.db.ProcessedEvents;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

@Configuration(proxyBeanMethods = false)
class Config {
    @Bean
    DatasetCache datasetCache(EvaluatorProperties props) {
        return new DatasetCache(props.datasetsDir(), props.textDir());
    }

    @Bean
    ArtifactStore artifactStore(JdbcClient jdbc) {
        return new JdbcArtifactStore(jdbc);
    }

    @Bean
    ProcessedEvents processedEvents(JdbcClient jdbc) {
        return new ProcessedEvents(jdbc, "evaluator");
    }

    @Bean
    Evaluators evaluators() {
        return new Evaluators();
    }
}
