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
 * @param jwtUsernameClaim the JWT claim a provisioned account's name is taken from, in OIDC/JWT mode (a JWT decoder
 *                       configured through {@code spring.security.oauth2.resourceserver.jwt.*}); only a name: the
 *                       account is found by the token's issuer and subject ({@code identity_links})
 * @param jwtAudience    required in OIDC/JWT mode: the audience ({@code aud}) a token must name (SparseLab's client
 *                       id at the provider); a token issued to another application is refused
 * @param jwtProvisioning what a valid token of an identity linked to no account gets: {@code create} an account (not an
 *                       administrator, with its own project; named after the claim when that name is free, else
 *                       {@code u-} and a hash of issuer and subject) linked to it, or {@code pre-provisioned}: 401
 *                       until an administrator links the identity to an account
 */
@ConfigurationProperties("sparselab.auth")
public record AuthProperties(Path bootstrapDir, String adminPassword,
                             @DefaultValue("preferred_username") String jwtUsernameClaim,
                             String jwtAudience,
                             @DefaultValue("create") JwtProvisioning jwtProvisioning) {
    /** What the gateway does with a valid token of an identity that is linked to no account. */
    public enum JwtProvisioning {
        CREATE, PRE_PROVISIONED
    }
}
