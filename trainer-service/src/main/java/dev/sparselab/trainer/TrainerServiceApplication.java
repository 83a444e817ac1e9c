package dev.sparselab.trainer;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The trainer-service: one member of the {@code trainers} consumer group. */
@SpringBootApplication
@ConfigurationPropertiesScan
@org.springframework.scheduling.annotation.EnableScheduling
public class TrainerServiceApplication {
    public static final String CONFIG_NAME = "trainer-service";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(TrainerServiceApplication.class)
                .properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
