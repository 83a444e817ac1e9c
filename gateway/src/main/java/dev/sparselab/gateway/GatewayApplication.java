package dev.sparselab.gateway;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The gateway: the only public entry (REST API and web UI). */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {
    public static final String CONFIG_NAME = "gateway";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(GatewayApplication.class)
                .properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
