package dev.sparselab.gateway;

import dev.sparselab.gateway.auth.Callers;
import dev.sparselab.gateway.auth.SparseLabUser;
import java.util.Map;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /api/v1/openapi.json}: one OpenAPI document of the whole public API, the experiment-service's routes
 * and the gateway's own (login, tokens, projects, users, audit), with the two ways to authenticate. Swagger UI at
 * {@code /api/docs} shows it.
 */
@RestController
class OpenApiController {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** How long the document's two reads may take: an experiment-service that hangs costs a request this much. */
    static final java.time.Duration CONNECT_TIMEOUT = java.time.Duration.ofSeconds(2);
    static final java.time.Duration READ_TIMEOUT = java.time.Duration.ofSeconds(10);
    private final RestClient http;
    private final GatewayProperties props;
    private final String secret;
    private final WebServerApplicationContext server;

    @org.springframework.beans.factory.annotation.Autowired
    OpenApiController(GatewayProperties props, InternalSecretProperties internal,
                      WebServerApplicationContext server) {
        this(props, internal, server, CONNECT_TIMEOUT, READ_TIMEOUT);
    }

    OpenApiController(GatewayProperties props, InternalSecretProperties internal, WebServerApplicationContext server,
                      java.time.Duration connect, java.time.Duration read) {
        this.props = props;
        this.secret = internal.internalSecret();
        this.server = server;
        org.springframework.http.client.JdkClientHttpRequestFactory requests =
                new org.springframework.http.client.JdkClientHttpRequestFactory(
                        java.net.http.HttpClient.newBuilder().connectTimeout(connect).build());
        requests.setReadTimeout(read);
        this.http = RestClient.builder().requestFactory(requests).build();
    }

    @GetMapping(value = "/api/v1/openapi.json", produces = MediaType.APPLICATION_JSON_VALUE)
    String openapi() {
        SparseLabUser caller = Callers.current();
        JsonNode experiments = JSON.readTree(http.get().uri(props.experimentService().resolve("/api/v1/openapi.json"))
                .header(Routes.INTERNAL, secret).header(Routes.USER_ID, caller.id().toString())
                .header(Routes.USER, caller.username()).header(Routes.ADMIN, Boolean.toString(caller.admin()))
                .retrieve().body(String.class));
        JsonNode own = JSON.readTree(http.get().uri("http://127.0.0.1:" + server.getWebServer().getPort()
                + "/internal/openapi-gateway.json").retrieve().body(String.class));
        ObjectNode merged = (ObjectNode) experiments.deepCopy();
        merged.putObject("info").put("title", "SparseLab API").put("version", "v1")
                .put("description", "Sparse neural-network training experiments: submit specs, follow and compare "
                        + "runs. Authenticate with an API token (Authorization: Bearer slt_...) or the web UI's "
                        + "session (cookie SPARSELAB_SESSION, and header X-XSRF-TOKEN on changes).");
        merged.putArray("servers").addObject().put("url", "/");
        ObjectNode paths = merged.has("paths") ? (ObjectNode) merged.get("paths") : merged.putObject("paths");
        own.path("paths").properties().forEach(e -> paths.set(e.getKey(), e.getValue()));
        uniqueOperationIds(paths);
        ObjectNode components = merged.has("components") ? (ObjectNode) merged.get("components")
                : merged.putObject("components");
        ObjectNode schemas = components.has("schemas") ? (ObjectNode) components.get("schemas")
                : components.putObject("schemas");
        own.at("/components/schemas").properties().forEach(e -> schemas.set(e.getKey(), e.getValue()));
        ObjectNode security = components.putObject("securitySchemes");
        security.putObject("token").put("type", "http").put("scheme", "bearer")
                .put("description", "an API token (slt_...) or, in OIDC mode, the identity provider's JWT");
        security.putObject("session").put("type", "apiKey").put("in", "cookie").put("name", "SPARSELAB_SESSION");
        merged.putArray("security").add(JSON.valueToTree(Map.of("token", new String[0])))
                .add(JSON.valueToTree(Map.of("session", new String[0])));
        return merged.toString();
    }

    /**
     * Operation ids must be unique in a document; each service's are, not the two together (both have a {@code list}):
     * a repeated one gets the next free {@code _n} suffix, as springdoc names repeats within one service.
     */
    static void uniqueOperationIds(ObjectNode paths) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        paths.properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (op.getValue() instanceof ObjectNode o && o.path("operationId").isString()) {
                String id = o.get("operationId").asString();
                String unique = id;
                for (int n = 1; !seen.add(unique); n++) {
                    unique = id + "_" + n;
                }
                o.put("operationId", unique);
            }
        }));
    }
}
