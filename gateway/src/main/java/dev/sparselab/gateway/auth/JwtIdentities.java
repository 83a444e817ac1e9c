package dev.sparselab.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.convert.converter.Converter;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

/**
 * From a validated JWT (signature, expiry and issuer checked by the decoder) to a SparseLab user: the token must name
 * the configured audience, and the identity is the token's issuer and subject, looked up in {@code identity_links} —
 * never matched onto an account by a name claim, so an identity provider's user called {@code admin} is not the
 * local administrator. An identity linked to no account gets one created (not an administrator) or is refused, as
 * {@code sparselab.auth.jwt-provisioning} says.
 */
final class JwtIdentities implements Converter<Jwt, AbstractAuthenticationToken> {
    private final IdentityStore identities;
    private final AuthProperties props;

    JwtIdentities(IdentityStore identities, AuthProperties props) {
        if (props.jwtAudience() == null || props.jwtAudience().isBlank()) {
            throw new IllegalStateException("sparselab.auth.jwt-audience (SPARSELAB_AUTH_JWT_AUDIENCE) is required "
                    + "when the gateway accepts JWTs (spring.security.oauth2.resourceserver.jwt.* is set): the "
                    + "audience SparseLab's tokens are issued for, usually its client id at the identity provider");
        }
        this.identities = identities;
        this.props = props;
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt token) {
        List<String> audience = token.getAudience();
        if (audience == null || !audience.contains(props.jwtAudience())) {
            throw new InvalidBearerTokenException("the token is not issued for this service (audience)");
        }
        String issuer = token.getIssuer() == null ? null : token.getIssuer().toString();
        String subject = token.getSubject();
        if (issuer == null || issuer.isBlank() || subject == null || subject.isBlank()) {
            throw new InvalidBearerTokenException("the token has no issuer (iss) or no subject (sub)");
        }
        Optional<SparseLabUser> linked = identities.linkedUser(issuer, subject);
        if (linked.isPresent()) {
            return new UserAuthentication(linked.get(), "jwt");
        }
        if (props.jwtProvisioning() == AuthProperties.JwtProvisioning.PRE_PROVISIONED) {
            throw new InvalidBearerTokenException("no SparseLab account is linked to this identity; an administrator "
                    + "links it (POST /api/v1/admin/users/{name}/identities)");
        }
        return new UserAuthentication(provision(token, issuer, subject), "jwt");
    }

    /** A new account for the identity, linked to it; a concurrent first request may have made it already. */
    private SparseLabUser provision(Jwt token, String issuer, String subject) {
        String claimed = token.getClaimAsString(props.jwtUsernameClaim());
        String name = claimed != null && IdentityStore.NAME.matcher(claimed).matches()
                && identities.user(claimed).isEmpty() && identities.projectId(claimed).isEmpty()
                ? claimed : derivedName(issuer, subject);
        try {
            SparseLabUser created = identities.createLinkedUser(name, issuer, subject);
            identities.audit(created.username(), "user.create", "user", created.id().toString(), null,
                    Map.of("via", "jwt", "issuer", issuer, "subject", subject));
            return created;
        } catch (ApiException | DataIntegrityViolationException e) {
            // the name was taken meanwhile (a concurrent first request of the same identity): its link decides
        }
        return identities.linkedUser(issuer, subject).orElseThrow(() -> new InvalidBearerTokenException(
                "no account could be provisioned for this identity (name '" + name + "' is taken)"));
    }

    /** {@code u-} and the first 12 hex digits of SHA-256(issuer, subject): stable, and no one's chosen name. */
    static String derivedName(String issuer, String subject) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((issuer + "\n" + subject)
                    .getBytes(StandardCharsets.UTF_8));
            return "u-" + HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
