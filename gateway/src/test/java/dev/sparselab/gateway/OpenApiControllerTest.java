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
}
