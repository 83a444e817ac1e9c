package dev.sparselab.evaluator;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The evaluator-service: benchmarks trained models and stores evaluations. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class EvaluatorServiceApplication {
    public static final String CONFIG_NAME = "evaluator-service";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(EvaluatorServiceApplication.class)
                .properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
