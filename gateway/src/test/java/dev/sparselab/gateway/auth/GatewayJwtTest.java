package dev.sparselab.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * OIDC/JWT sign-in (issue 20 item 1) through the gateway's security chain over a real (embedded) PostgreSQL, with
 * tokens signed by a key the test holds (the decoder trusts its public half): a token for another audience is refused;
 * an identity is its issuer and subject, so an identity provider's user called {@code admin} gets an account of its
 * own, not the administrator's, and keeps it when its name claim changes; provisioning can require an administrator's
 * link; the link API answers bad input field by field.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.config.name=gateway", "sparselab.auth.admin-password=" + GatewaySecurityTest.PASSWORD,
        "sparselab.internal-secret=0123456789abcdef-gateway-test",
        "sparselab.gateway.experiment-service=http://127.0.0.1:9", "sparselab.auth.jwt-audience=sparselab",
        "sparselab.auth.jwt-provisioning=create"})
@AutoConfigureMockMvc
class GatewayJwtTest {
    static final EmbeddedPostgres PG = GatewaySecurityTest.start();
    static final KeyPair KEYS = keys();
    static final String ISSUER = "https://idp.example.org/realms/lab";

    static KeyPair keys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> PG.getJdbcUrl("postgres", "postgres"));
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "postgres");
    }

    @AfterAll
    static void stop() throws IOException {
        PG.close();
    }

    @TestConfiguration
    static class Provider {
        @Bean
        JwtDecoder jwtDecoder() {
            return NimbusJwtDecoder.withPublicKey((RSAPublicKey) KEYS.getPublic()).build();
        }
    }

    @Autowired
    MockMvc mvc;
    @Autowired
    IdentityStore identities;

    static String jwt(String issuer, String subject, String name, List<String> audience) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer).subject(subject).audience(audience)
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).issueTime(new Date());
        if (name != null) {
            claims.claim("preferred_username", name);
        }
        SignedJWT token = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims.build());
        token.sign(new RSASSASigner(KEYS.getPrivate()));
        return token.serialize();
    }

    private org.springframework.test.web.servlet.ResultActions me(String bearer) throws Exception {
        return mvc.perform(get("/api/v1/auth/me").header("Authorization", "Bearer " + bearer));
    }

    private String adminToken() {
        SparseLabUser admin = identities.user("admin").orElseThrow();
        return identities.createToken(admin.id(), "jwt-test", Duration.ofDays(1)).token();
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() throws Exception {
        me(jwt(ISSUER, "s-aud", "alice", List.of("another-app"))).andExpect(status().isUnauthorized());
        me(jwt(ISSUER, "s-aud", "alice", List.of())).andExpect(status().isUnauthorized());
        assertThat(identities.user("alice")).isEmpty();
        me(jwt(ISSUER, "s-aud", "alice", List.of("another-app", "sparselab"))).andExpect(status().isOk())
                .andExpect(jsonPath("$.username").value("alice")).andExpect(jsonPath("$.admin").value(false));
    }

    @Test
    void anIdentityProvidersUserNamedAdminGetsAnAccountOfItsOwnNotTheAdministrators() throws Exception {
        String derived = JwtIdentities.derivedName(ISSUER, "s-admin");
        me(jwt(ISSUER, "s-admin", "admin", List.of("sparselab"))).andExpect(status().isOk())
                .andExpect(jsonPath("$.username").value(derived)).andExpect(jsonPath("$.admin").value(false));
        mvc.perform(get("/api/v1/admin/users").header("Authorization", "Bearer "
                + jwt(ISSUER, "s-admin", "admin", List.of("sparselab")))).andExpect(status().isNotFound());
        assertThat(identities.user("admin").orElseThrow().admin()).isTrue();
    }

    @Test
    void theAccountFollowsIssuerAndSubjectNotTheNameClaim() throws Exception {
        me(jwt(ISSUER, "s-bob", "bob", List.of("sparselab"))).andExpect(jsonPath("$.username").value("bob"));
        // the provider lets bob rename himself: still bob's account
        me(jwt(ISSUER, "s-bob", "robert", List.of("sparselab"))).andExpect(jsonPath("$.username").value("bob"));
        assertThat(identities.user("robert")).isEmpty();
        // another provider's "bob" is someone else
        me(jwt("https://other.example.org", "s-bob", "bob", List.of("sparselab"))).andExpect(status().isOk())
                .andExpect(jsonPath("$.username").value(JwtIdentities.derivedName("https://other.example.org",
                        "s-bob")));
        // no name claim at all: a derived name
        me(jwt(ISSUER, "s-nameless", null, List.of("sparselab")))
                .andExpect(jsonPath("$.username").value(JwtIdentities.derivedName(ISSUER, "s-nameless")));
    }

    @Test
    void preProvisionedIdentitiesNeedAnAdministratorsLink() throws Exception {
        JwtIdentities linkedOnly = new JwtIdentities(identities, new AuthProperties(null, null, "preferred_username",
                "sparselab", AuthProperties.JwtProvisioning.PRE_PROVISIONED));
        org.springframework.security.oauth2.jwt.Jwt carol = NimbusJwtDecoder.withPublicKey((RSAPublicKey) KEYS
                .getPublic()).build().decode(jwt(ISSUER, "s-carol", "carol", List.of("sparselab")));
        assertThatThrownBy(() -> linkedOnly.convert(carol)).isInstanceOf(InvalidBearerTokenException.class)
                .hasMessageContaining("linked");
        assertThat(identities.user("carol")).isEmpty();

        String admin = "Bearer " + adminToken();
        mvc.perform(post("/api/v1/admin/users").header("Authorization", admin).contentType(MediaType.APPLICATION_JSON)
                .content("{\"username\": \"carol-lab\"}")).andExpect(status().isCreated());
        mvc.perform(post("/api/v1/admin/users/carol-lab/identities").header("Authorization", admin)
                        .contentType(MediaType.APPLICATION_JSON).content("{\"issuer\": \" \"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].pointer").value(org.hamcrest.Matchers.containsInAnyOrder(
                        "/issuer", "/subject")));
        mvc.perform(post("/api/v1/admin/users/carol-lab/identities").header("Authorization", admin)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"issuer\": \"" + ISSUER + "\", \"subject\": \"s-carol\"}"))
                .andExpect(status().isCreated()).andExpect(jsonPath("$.subject").value("s-carol"));
        mvc.perform(post("/api/v1/admin/users/admin/identities").header("Authorization", admin)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"issuer\": \"" + ISSUER + "\", \"subject\": \"s-carol\"}"))
                .andExpect(status().isConflict());
        assertThat(((SparseLabUser) linkedOnly.convert(carol).getPrincipal()).username()).isEqualTo("carol-lab");
        mvc.perform(get("/api/v1/admin/users/carol-lab/identities").header("Authorization", admin))
                .andExpect(status().isOk()).andExpect(jsonPath("$[0].issuer").value(ISSUER));
        mvc.perform(delete("/api/v1/admin/users/carol-lab/identities").header("Authorization", admin)
                .param("issuer", ISSUER)).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].parameter").value("subject"));
        mvc.perform(delete("/api/v1/admin/users/carol-lab/identities").header("Authorization", admin)
                .param("issuer", ISSUER).param("subject", "s-carol")).andExpect(status().isNoContent());
        assertThatThrownBy(() -> linkedOnly.convert(carol)).isInstanceOf(InvalidBearerTokenException.class);
    }

    @Test
    void acceptingJwtsWithoutAnAudienceSettingIsRefusedAtStartUp() {
        assertThatThrownBy(() -> new JwtIdentities(identities, new AuthProperties(null, null, "preferred_username",
                null, AuthProperties.JwtProvisioning.CREATE))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sparselab.auth.jwt-audience");
    }
}
