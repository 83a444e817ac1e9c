package dev.sparselab.gateway;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sparselab.gateway.auth.SparseLabUser;
import dev.sparselab.gateway.auth.UserAuthentication;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.client.ResourceAccessException;

/**
 * Issue 20 item 5: the OpenAPI document's read of the experiment-service has timeouts — an experiment-service that
 * accepts the connection and never answers fails the request (the outage filter answers 503) instead of holding a
 * gateway thread for ever.
 */
class OpenApiControllerTest {
    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void anExperimentServiceThatNeverAnswersTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                try (Socket held = silent.accept()) {
                    Thread.sleep(60_000); // accepts, reads nothing, answers nothing
                } catch (Exception e) {
                    // closed by the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            OpenApiController controller = new OpenApiController(
                    new GatewayProperties(URI.create("http://127.0.0.1:" + silent.getLocalPort())),
                    new InternalSecretProperties("0123456789abcdef-openapi-test"), null, Duration.ofSeconds(1),
                    Duration.ofMillis(300));
            SecurityContextHolder.getContext().setAuthentication(new UserAuthentication(
                    new SparseLabUser(UUID.randomUUID(), "alice", false), "token"));
            assertThatThrownBy(controller::openapi).isInstanceOf(ResourceAccessException.class);
            acceptor.interrupt();
        }
    }

    /** The merged document's operation ids are unique (both services have a "list"): generated clients need that. */
    @Test
    void repeatedOperationIdsGetASuffix() {
        tools.jackson.databind.node.ObjectNode paths = (tools.jackson.databind.node.ObjectNode) tools.jackson.databind
                .json.JsonMapper.builder().build().readTree("""
                        {"/a": {"get": {"operationId": "list"}, "post": {"operationId": "create"}},
                         "/b": {"get": {"operationId": "list"}, "parameters": []},
                         "/c": {"get": {"operationId": "list_1"}, "put": {"operationId": "list"}}}""");
        OpenApiController.uniqueOperationIds(paths);
        org.assertj.core.api.Assertions.assertThat(java.util.List.of(paths.at("/~1a/get/operationId").asString(),
                        paths.at("/~1b/get/operationId").asString(), paths.at("/~1c/get/operationId").asString(),
                        paths.at("/~1c/put/operationId").asString()))
                .containsExactly("list", "list_1", "list_1_1", "list_2");
    }
}
