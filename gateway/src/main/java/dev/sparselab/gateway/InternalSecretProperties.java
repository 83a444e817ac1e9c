package dev.sparselab.gateway;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The secret shared by the gateway and the experiment-service ({@code sparselab.internal-secret},
 * {@code SPARSELAB_INTERNAL_SECRET}): with it the gateway proves itself to the experiment-service. Required, at least 16 characters, the same on both;
 * a missing or short one stops the service at start-up with this message.
 */
@Validated
@ConfigurationProperties("sparselab")
public record InternalSecretProperties(
        @NotNull(message = "must be set (SPARSELAB_INTERNAL_SECRET), the same for the gateway and the experiment-service")
        @Size(min = 16, message = "must be at least 16 characters (SPARSELAB_INTERNAL_SECRET)")
        String internalSecret) {
}
