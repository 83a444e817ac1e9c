package dev.sparselab.experiment;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The experiment-service: experiments, runs, metric series, the outbox. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class ExperimentServiceApplication {
    /** The name of this service's configuration file ({@code experiment-service.yaml}). */
    public static final String CONFIG_NAME = "experiment-service";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(ExperimentServiceApplication.class)
                .properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
