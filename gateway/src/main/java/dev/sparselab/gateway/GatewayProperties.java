package dev.sparselab.gateway;

import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the gateway.
 *
 * @param experimentService base URI of the experiment-service, which serves {@code /api/v1/**}
 */
@org.springframework.validation.annotation.Validated
@ConfigurationProperties("sparselab.gateway")
public record GatewayProperties(
        @DefaultValue("http://localhost:8081") @jakarta.validation.constraints.NotNull URI experimentService) {
}
