package dev.sparselab.trainer;

import dev.sparselab.core.data.DatasetCache;
import dev.sparselab.db.ArtifactStore;
import dev.sparselab.db.JdbcArtifactStore;
import dev.sparselab.db.ProcessedEvents;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

@Configuration(proxyBeanMethods = false)
class Config {
    @Bean
    DatasetCache datasetCache(TrainerProperties props) {
        return new DatasetCache(props.datasetsDir(), props.textDir());
    }

    @Bean
    ArtifactStore artifactStore(JdbcClient jdbc) {
        return new JdbcArtifactStore(jdbc);
    }

    /** The trainer's clock: when a lease counts as lost while PostgreSQL is away (tests set their own). */
    @Bean
    java.time.Clock clock() {
        return java.time.Clock.systemUTC();
    }

    @Bean
    ProcessedEvents processedEvents(JdbcClient jdbc) {
        return new ProcessedEvents(jdbc, "trainer");
    }
}
