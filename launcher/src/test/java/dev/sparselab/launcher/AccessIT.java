package dev.sparselab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Who may see and do what, through the public API of a running platform: users in projects with roles, API
 * tokens (expired and revoked ones refused), the web UI's session with its CSRF token, JWTs of a lab's identity
 * provider, the audit log. Another project's things answer 404, as if they did not exist.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AccessIT {
    static final String ZERO = "00000000-0000-0000-0000-000000000000";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir
    static Path dataDir;
    static LocalPlatform platform;
    static Api admin;
    static Api alice;
    static Api bob;
    static Api carol;
    static String aliceExperiment;
    static String aliceRun;
    static KeyPair idpKeys;

    @BeforeAll
    static void start() throws Exception {
        // a lab identity provider's signing key; the gateway trusts its public half (OIDC/JWT mode)
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        idpKeys = generator.generateKeyPair();
        Path publicKey = dataDir.resolve("idp.pub");
        Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(idpKeys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        platform = LocalPlatform.start(new LocalPlatform.Options(dataDir.resolve("platform"), 0, 0, 0,
                PlatformIT.DATASETS, 4, 0, List.of(
                "--spring.security.oauth2.resourceserver.jwt.public-key-location=file:" + publicKey,
                "--sparselab.auth.jwt-audience=sparselab")));
        admin = new Api(platform.baseUrl(), platform.adminToken());
        for (String user : List.of("alice", "bob", "carol")) {
            assertThat(admin.post("/api/v1/admin/users", "application/json",
                    "{\"username\": \"" + user + "\", \"password\": \"" + user + "-secret-password\"}").status())
                    .isEqualTo(201);
        }
        alice = admin.as(token("alice"));
        bob = admin.as(token("bob"));
        carol = admin.as(token("carol"));
        // alice's group project, carol reads it
        assertThat(alice.post("/api/v1/projects", "application/json", "{\"name\": \"vision\"}").status())
                .isEqualTo(201);
        assertThat(alice.put("/api/v1/projects/vision/members/carol", "{\"role\": \"viewer\"}").status())
                .isEqualTo(200);
        Api.Response submitted = alice.post("/api/v1/experiments?project=vision", "application/json",
                PlatformIT.spec("alice's", "synthetic", "[16]", 1, 0.05, "{\"method\": \"dense\"}"));
        assertThat(submitted.status()).isEqualTo(201);
        aliceExperiment = submitted.body().get("id").asString();
        aliceRun = submitted.body().get("runs").get(0).get("id").asString();
        alice.awaitRun(aliceRun, Duration.ofMinutes(2));
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    static String token(String user) {
        Api.Response r = admin.post("/api/v1/admin/users/" + user + "/tokens", "application/json",
                "{\"name\": \"it\"}");
        assertThat(r.status()).isEqualTo(201);
        return r.body().get("token").asString();
    }

    /** Every API route: the experiment-service's from its OpenAPI document, and the gateway's own. */
    static List<String[]> routes() {
        List<String[]> routes = new ArrayList<>();
        JsonNode openapi = admin.get("/api/v1/openapi.json").body();
        openapi.get("paths").properties().forEach(p -> p.getValue().properties().forEach(m ->
                routes.add(new String[]{m.getKey().toUpperCase(), p.getKey()
                        .replace("{id}", p.getKey().startsWith("/api/v1/runs") ? aliceRun : aliceExperiment)
                        .replaceAll("\\{[^}]+}", "vision")})));
        for (String[] own : new String[][]{{"GET", "/api/v1/auth/me"}, {"POST", "/api/v1/auth/logout"},
                {"GET", "/api/v1/tokens"}, {"POST", "/api/v1/tokens"}, {"DELETE", "/api/v1/tokens/" + ZERO},
                {"GET", "/api/v1/projects"}, {"POST", "/api/v1/projects"}, {"GET", "/api/v1/projects/vision"},
                {"PUT", "/api/v1/projects/vision/members/bob"}, {"DELETE", "/api/v1/projects/vision/members/carol"},
                {"GET", "/api/v1/admin/users"}, {"POST", "/api/v1/admin/users"},
                {"POST", "/api/v1/admin/users/bob/tokens"}, {"GET", "/api/v1/admin/audit"},
                {"GET", "/api/v1/openapi.json"}, {"GET", "/actuator/info"}}) {
            routes.add(own);
        }
        return routes;
    }

    static int call(String token, String method, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(platform.baseUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, method.equals("GET") || method.equals("DELETE")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    @Order(1)
    void everyRouteWithoutATokenOrWithABadOneIs401AndChangesNothing() throws Exception {
        List<String[]> routes = routes();
        assertThat(routes).hasSizeGreaterThan(25);
        long auditBefore = JdbcClient.create(platform.dataSource()).sql("select count(*) from audit_log")
                .query(Long.class).single();
        List<String> notRefused = new ArrayList<>();
        for (String[] r : routes) {
            if (r[1].equals("/api/v1/auth/login")) {
                continue; // the one anonymous API route
            }
            for (String token : new String[]{null, "slt_" + "x".repeat(43), "not-even-a-token"}) {
                int status = call(token, r[0], r[1]);
                if (status != 401) {
                    notRefused.add(r[0] + " " + r[1] + " with " + token + " → " + status);
                }
            }
        }
        assertThat(notRefused).isEmpty();
        assertThat(JdbcClient.create(platform.dataSource()).sql("select count(*) from audit_log")
                .query(Long.class).single()).isEqualTo(auditBefore);
        // anonymous: health and the web UI's files (its login page)
        assertThat(call(null, "GET", "/actuator/health")).isEqualTo(200);
        assertThat(call(null, "GET", "/")).isEqualTo(200);
        assertThat(alice.get("/api/v1/runs/" + aliceRun).status()).isEqualTo(200);
    }

    @Test
    @Order(1)
    void theOpenApiDocumentDescribesTheWholeApiAndSwaggerUiShowsIt() throws Exception {
        JsonNode openapi = admin.get("/api/v1/openapi.json").body();
        assertThat(openapi.get("openapi").asString()).startsWith("3.");
        List<String> paths = new ArrayList<>();
        openapi.get("paths").propertyNames().forEach(paths::add);
        // the experiment-service's routes and the gateway's own
        assertThat(paths).contains("/api/v1/experiments", "/api/v1/runs/{id}", "/api/v1/compare", "/api/v1/catalog",
                "/api/v1/auth/login", "/api/v1/tokens", "/api/v1/projects/{name}/members/{username}",
                "/api/v1/admin/users", "/api/v1/admin/audit");
        assertThat(openapi.at("/components/securitySchemes/token/scheme").asString()).isEqualTo("bearer");
        // Swagger UI, for a logged-in caller
        HttpResponse<String> docs = HTTP.send(HttpRequest.newBuilder(URI.create(platform.baseUrl() + "/api/docs"))
                .header("Authorization", "Bearer " + platform.adminToken()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(docs.statusCode()).isEqualTo(302);
        String page = docs.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> ui = HTTP.send(HttpRequest.newBuilder(URI.create(platform.baseUrl()).resolve(page))
                .header("Authorization", "Bearer " + platform.adminToken()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ui.statusCode()).as(page).isEqualTo(200);
        assertThat(ui.body()).as(page).containsIgnoringCase("swagger");
        assertThat(call(null, "GET", "/api/docs")).isEqualTo(401);
    }

    @Test
    @Order(2)
    void anotherProjectsThingsDoNotExistForYou() {
        for (String path : List.of("/api/v1/experiments/" + aliceExperiment, "/api/v1/runs/" + aliceRun,
                "/api/v1/runs/" + aliceRun + "/metrics", "/api/v1/compare?experiment=" + aliceExperiment,
                "/api/v1/projects/vision", "/api/v1/admin/dead-letters", "/api/v1/admin/users",
                "/api/v1/admin/audit")) {
            Api.Response r = bob.get(path);
            assertThat(r.status()).as("bob GET %s", path).isEqualTo(404);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        // the same answer as for an id that does not exist
        assertThat(bob.get("/api/v1/runs/" + aliceRun).body().get("detail").asString())
                .isEqualTo("no run with id " + aliceRun);
        assertThat(bob.post("/api/v1/runs/" + aliceRun + "/cancel").status()).isEqualTo(404);
        assertThat(bob.post("/api/v1/experiments/" + aliceExperiment + "/cancel").status()).isEqualTo(404);
        assertThat(bob.post("/api/v1/experiments?project=vision", "application/json",
                PlatformIT.spec("bob's", "synthetic", "[16]", 1, 0.05, "{\"method\": \"dense\"}")).status())
                .isEqualTo(404);
        assertThat(bob.get("/api/v1/runs").body()).isEmpty();
        assertThat(bob.get("/api/v1/experiments").body()).isEmpty();
        // an identical spec in bob's own project is trained for bob, not answered with alice's run
        Api.Response own = bob.post("/api/v1/experiments", "application/json",
                PlatformIT.spec("alice's", "synthetic", "[16]", 1, 0.05, "{\"method\": \"dense\"}"));
        assertThat(own.status()).isEqualTo(201);
        assertThat(own.body().get("runs").get(0).get("id").asString()).isNotEqualTo(aliceRun);
        assertThat(bob.get("/api/v1/experiments").body()).hasSize(1);
        assertThat(bob.get("/api/v1/experiments").body().get(0).get("project").asString()).isEqualTo("bob");
        // admins see everything
        assertThat(admin.get("/api/v1/runs/" + aliceRun).status()).isEqualTo(200);
        assertThat(admin.get("/api/v1/admin/dead-letters").status()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void aViewerReadsButCannotSubmitOrCancel() {
        assertThat(carol.get("/api/v1/experiments/" + aliceExperiment).status()).isEqualTo(200);
        assertThat(carol.get("/api/v1/runs/" + aliceRun + "/metrics").status()).isEqualTo(200);
        assertThat(carol.get("/api/v1/runs?experiment=" + aliceExperiment).body()).hasSize(1);
        Api.Response submit = carol.post("/api/v1/experiments?project=vision", "application/json",
                PlatformIT.spec("carol's", "synthetic", "[16]", 1, 0.05, "{\"method\": \"dense\"}"));
        assertThat(submit.status()).isEqualTo(403);
        assertThat(submit.contentType()).startsWith("application/problem+json");
        assertThat(carol.post("/api/v1/experiments/" + aliceExperiment + "/cancel").status()).isEqualTo(403);
        assertThat(carol.post("/api/v1/runs/" + aliceRun + "/cancel").status()).isEqualTo(403);
        assertThat(carol.put("/api/v1/projects/vision/members/bob", "{\"role\": \"member\"}").status())
                .isEqualTo(403);
        // nothing was stored by the refused submission
        assertThat(JdbcClient.create(platform.dataSource())
                .sql("select count(*) from experiments where name = 'carol''s'").query(Long.class).single()).isZero();
    }

    @Test
    @Order(4)
    void expiredAndRevokedTokensAre401() {
        Api.Response created = alice.post("/api/v1/tokens", "application/json",
                "{\"name\": \"short\", \"expiresInDays\": 1}");
        assertThat(created.status()).isEqualTo(201);
        String secret = created.body().get("token").asString();
        Api shortLived = admin.as(secret);
        assertThat(shortLived.get("/api/v1/auth/me").body().get("username").asString()).isEqualTo("alice");
        JdbcClient.create(platform.dataSource()).sql("update api_tokens set expires_at = now() - interval '1 second' "
                + "where id = ?::uuid").param(created.body().get("id").asString()).update();
        assertThat(shortLived.get("/api/v1/runs").status()).isEqualTo(401);

        Api.Response another = alice.post("/api/v1/tokens", "application/json", "{\"name\": \"to revoke\"}");
        Api revocable = admin.as(another.body().get("token").asString());
        assertThat(revocable.get("/api/v1/runs").status()).isEqualTo(200);
        // bob cannot revoke alice's token (it does not exist for him); alice can
        assertThat(bob.delete("/api/v1/tokens/" + another.body().get("id").asString()).status()).isEqualTo(404);
        assertThat(revocable.get("/api/v1/runs").status()).isEqualTo(200);
        assertThat(alice.delete("/api/v1/tokens/" + another.body().get("id").asString()).status()).isEqualTo(204);
        assertThat(revocable.get("/api/v1/runs").status()).isEqualTo(401);
        // only the hash is stored
        assertThat(JdbcClient.create(platform.dataSource()).sql("select count(*) from api_tokens where "
                + "encode(token_hash, 'escape') like '%' || ? || '%'").param(another.body().get("token").asString()
                .substring(4, 20)).query(Long.class).single()).isZero();
        // bad token requests are problem+json with WWW-Authenticate
        Api.Response refused = revocable.get("/api/v1/runs");
        assertThat(refused.contentType()).startsWith("application/problem+json");
    }

    @Test
    @Order(5)
    void theWebUiSessionNeedsItsCsrfTokenToChangeAnything() throws Exception {
        CookieManager cookies = new CookieManager();
        {
            HttpClient browser = HttpClient.newBuilder().cookieHandler(cookies).build();
            HttpResponse<String> wrong = browser.send(HttpRequest.newBuilder(URI.create(platform.baseUrl()
                            + "/api/v1/auth/login")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"username\": \"alice\", \"password\": \"not her password\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(platform.baseUrl()
                            + "/api/v1/auth/login")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"username\": \"alice\", \"password\": \"alice-secret-password\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
            String setCookie = String.join("; ", login.headers().allValues("Set-Cookie"));
            assertThat(setCookie).contains("SPARSELAB_SESSION=").containsIgnoringCase("HttpOnly")
                    .containsIgnoringCase("SameSite=Lax");
            String csrf = cookies.getCookieStore().getCookies().stream()
                    .filter(c -> c.getName().equals("XSRF-TOKEN")).map(HttpCookie::getValue).findFirst()
                    .orElseThrow(() -> new AssertionError("no XSRF-TOKEN cookie: " + setCookie));
            URI cancel = URI.create(platform.baseUrl() + "/api/v1/runs/" + aliceRun + "/cancel");
            // reading with the session works; changing without the CSRF header is refused
            assertThat(browser.send(HttpRequest.newBuilder(URI.create(platform.baseUrl() + "/api/v1/runs/" + aliceRun))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            assertThat(browser.send(HttpRequest.newBuilder(cancel).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(403);
            // with it, the request goes through (the run has finished: 409, nothing to cancel)
            assertThat(browser.send(HttpRequest.newBuilder(cancel).header("X-XSRF-TOKEN", csrf)
                            .POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(409);
            assertThat(browser.send(HttpRequest.newBuilder(URI.create(platform.baseUrl() + "/api/v1/auth/logout"))
                            .header("X-XSRF-TOKEN", csrf).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            assertThat(browser.send(HttpRequest.newBuilder(URI.create(platform.baseUrl() + "/api/v1/runs/" + aliceRun))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
        }
    }

    @Test
    @Order(6)
    void jwtsOfTheLabsIdentityProviderAreAccepted() throws Exception {
        Api dora = admin.as(jwt("dora", idpKeys, Instant.now().plusSeconds(300)));
        JsonNode me = dora.get("/api/v1/auth/me").body();
        assertThat(me.get("username").asString()).isEqualTo("dora");
        assertThat(me.get("via").asString()).isEqualTo("jwt");
        // a new user with their own project, where they may submit; nothing of alice's is visible
        assertThat(dora.get("/api/v1/runs/" + aliceRun).status()).isEqualTo(404);
        assertThat(dora.post("/api/v1/experiments", "application/json",
                PlatformIT.spec("dora's", "synthetic", "[16]", 1, 0.05, "{\"method\": \"dense\"}")).status())
                .isEqualTo(201);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        assertThat(admin.as(jwt("dora", generator.generateKeyPair(), Instant.now().plusSeconds(300)))
                .get("/api/v1/auth/me").status()).as("signed by another key").isEqualTo(401);
        assertThat(admin.as(jwt("dora", idpKeys, Instant.now().minusSeconds(600)))
                .get("/api/v1/auth/me").status()).as("expired").isEqualTo(401);
        // issued by the same provider for another application (issue 20 item 1)
        assertThat(admin.as(jwt("dora", idpKeys, Instant.now().plusSeconds(300), "grafana"))
                .get("/api/v1/auth/me").status()).as("another audience").isEqualTo(401);
        // the provider's user called "alice" is not the local alice: an account of its own (issuer + subject)
        JsonNode other = admin.as(jwt("alice", idpKeys, Instant.now().plusSeconds(300))).get("/api/v1/auth/me")
                .body();
        assertThat(other.get("username").asString()).isNotEqualTo("alice").startsWith("u-");
        assertThat(admin.as(jwt("alice", idpKeys, Instant.now().plusSeconds(300))).get("/api/v1/runs/" + aliceRun)
                .status()).isEqualTo(404);
    }

    static String jwt(String user, KeyPair keys, Instant expires) throws Exception {
        return jwt(user, keys, expires, "sparselab");
    }

    static String jwt(String user, KeyPair keys, Instant expires, String audience) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), new JWTClaimsSet.Builder()
                .subject("idp-" + user).claim("preferred_username", user).issuer("https://idp.lab.example")
                .audience(audience).issueTime(new Date()).expirationTime(Date.from(expires)).build());
        jwt.sign(new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
        return jwt.serialize();
    }

    @Test
    @Order(7)
    void theAuditLogSaysWhoDidWhat() throws Exception {
        JsonNode log = admin.get("/api/v1/admin/audit?limit=500").body();
        List<String> entries = new ArrayList<>();
        log.forEach(e -> entries.add(e.get("actor").asString() + " " + e.get("action").asString()));
        assertThat(entries).contains("admin user.create", "alice project.create", "alice project.member.set",
                "alice experiment.submit", "alice token.create", "alice token.revoke", "alice login",
                "alice login.failed", "bob experiment.submit", "dora user.create", "dora experiment.submit");
        assertThat(admin.get("/api/v1/admin/audit?actor=bob").body())
                .allSatisfy(e -> assertThat(e.get("actor").asString()).isEqualTo("bob"));
        // local mode's first administrator: token and password written once, readable by their owner only
        for (String file : List.of("admin-token", "admin-password")) {
            assertThat(Files.getPosixFilePermissions(dataDir.resolve("platform").resolve(file)))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
        assertThat(Map.of("token", platform.adminToken())).extractingByKey("token").asString().startsWith("slt_");
    }
}
