package dev.sparselab.gateway.auth;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Identity settings of the gateway.
 *
 * @param bootstrapDir   on first start (no users yet) create user {@code admin} with a random password and an API
 *                       token, write both to this folder (files {@code admin-token}, {@code admin-password},
 *                       mode 0600) and print the token once; {@code sparselab up} sets it to its data folder
 * @param adminPassword  on first start create user {@code admin} with this password (containers: a secret)
 * @param jwtUsernameClaim the JWT claim naming the user, in OIDC/JWT mode (a JWT decoder configured through
 *                       {@code spring.security.oauth2.resourceserver.jwt.*})
 * @param jwtCreateUsers create a user (with their own project) the first time a valid JWT names an unknown one
 */
@ConfigurationProperties("sparselab.auth")
public record AuthProperties(Path bootstrapDir, String adminPassword,
                             @DefaultValue("preferred_username") String jwtUsernameClaim,
                             @DefaultValue("true") boolean jwtCreateUsers) {
}
