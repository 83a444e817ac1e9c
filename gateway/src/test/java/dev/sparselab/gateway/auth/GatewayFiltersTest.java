package dev.sparselab.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sparselab.contracts.events.EventCodec;
import jakarta.servlet.FilterChain;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;
import org.springframework.web.client.ResourceAccessException;

/**
 * The gateway's own servlet filters on their own: the body limit (declared and chunked bodies), the login rate
 * limit, and the outage filter's classification (experiment-service or PostgreSQL away: 503; anything else is not
 * hidden).
 */
class GatewayFiltersTest {
    /** A request whose body comes without a Content-Length (chunked). */
    static MockHttpServletRequest chunked(String uri, byte[] body) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", uri) {
            @Override
            public long getContentLengthLong() {
                return -1;
            }

            @Override
            public int getContentLength() {
                return -1;
            }
        };
        request.setContent(body);
        return request;
    }

    static String type(MockHttpServletResponse response) throws Exception {
        assertThat(response.getContentType()).startsWith("application/problem+json");
        return EventCodec.mapper().readTree(response.getContentAsString()).get("type").asString();
    }

    @Test
    void aDeclaredBodyOverTheLimitIsRefusedBeforeAnythingIsRead() throws Exception {
        AtomicInteger reached = new AtomicInteger();
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/experiments");
        request.setContent(new byte[17]);
        MockHttpServletResponse response = new MockHttpServletResponse();
        new BodySizeFilter(16).doFilter(request, response, (req, res) -> reached.incrementAndGet());
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(type(response)).isEqualTo("https://sparselab.dev/problems/content-too-large");
        assertThat(reached).hasValue(0);
    }

    @Test
    void aChunkedBodyIsCutOffWhereItPassesTheLimit() throws Exception {
        FilterChain readAll = (req, res) -> req.getInputStream().readAllBytes();
        MockHttpServletResponse big = new MockHttpServletResponse();
        new BodySizeFilter(16).doFilter(chunked("/api/v1/experiments", new byte[64]), big, readAll);
        assertThat(big.getStatus()).isEqualTo(413);

        MockHttpServletResponse small = new MockHttpServletResponse();
        byte[][] seen = new byte[1][];
        new BodySizeFilter(16).doFilter(chunked("/api/v1/experiments", "0123456789abcdef".getBytes(StandardCharsets.UTF_8)),
                small, (req, res) -> seen[0] = req.getInputStream().readAllBytes());
        assertThat(small.getStatus()).isEqualTo(200);
        assertThat(seen[0]).hasSize(16);
    }

    @Test
    void loginsOverTheLimitAreAnswered429WithRetryAfter() throws Exception {
        RateLimitFilter filter = new RateLimitFilter(new LimitProperties(600, 2, DataSize.ofMegabytes(1)));
        AtomicInteger reached = new AtomicInteger();
        MockHttpServletResponse last = null;
        for (int i = 0; i < 3; i++) {
            MockHttpServletRequest login = new MockHttpServletRequest("POST", "/api/v1/auth/login");
            login.setRemoteAddr("10.0.0.7");
            last = new MockHttpServletResponse();
            filter.doFilter(login, last, (req, res) -> reached.incrementAndGet());
        }
        assertThat(reached).hasValue(2);
        assertThat(last.getStatus()).isEqualTo(429);
        assertThat(Integer.parseInt(last.getHeader("Retry-After"))).isBetween(1, 60);
        assertThat(type(last)).isEqualTo("https://sparselab.dev/problems/too-many-requests");
        // another address has its own bucket
        MockHttpServletRequest other = new MockHttpServletRequest("POST", "/api/v1/auth/login");
        other.setRemoteAddr("10.0.0.8");
        MockHttpServletResponse ok = new MockHttpServletResponse();
        filter.doFilter(other, ok, (req, res) -> reached.incrementAndGet());
        assertThat(ok.getStatus()).isEqualTo(200);
    }

    /** Issue 20, items 2 and 3: the limits hold on the path the request is routed by, however it is written. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/api/v1/auth/%6Cogin", "/api/v1/auth/login;x=1",
        "/api//v1/auth/login", "/api/v1/./auth/login", "/%61pi/v1/auth/login"})
    void anEncodedLoginPathCountsAgainstTheLoginLimit(String uri) throws Exception {
        RateLimitFilter filter = new RateLimitFilter(new LimitProperties(600, 2, DataSize.ofMegabytes(1)));
        MockHttpServletResponse last = null;
        for (int i = 0; i < 3; i++) {
            MockHttpServletRequest login = new MockHttpServletRequest("POST", i == 0 ? "/api/v1/auth/login" : uri);
            login.setRemoteAddr("10.0.0.9");
            last = new MockHttpServletResponse();
            filter.doFilter(login, last, (req, res) -> { });
        }
        assertThat(last.getStatus()).isEqualTo(429);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/%61pi/v1/experiments", "/api;x=1/v1/experiments",
        "//api/v1/experiments"})
    void anEncodedApiPathIsStillHeldToTheBodyLimit(String uri) throws Exception {
        AtomicInteger reached = new AtomicInteger();
        MockHttpServletRequest request = new MockHttpServletRequest("POST", uri);
        request.setContent(new byte[17]);
        MockHttpServletResponse response = new MockHttpServletResponse();
        new BodySizeFilter(16).doFilter(request, response, (req, res) -> reached.incrementAndGet());
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(reached).hasValue(0);
    }

    @Test
    void anOutageIs503AndAnyOtherFailureIsNotHidden() throws Exception {
        for (RuntimeException away : new RuntimeException[]{new ResourceAccessException("connection refused"),
                new DataAccessResourceFailureException("database down")}) {
            MockHttpServletResponse response = new MockHttpServletResponse();
            new OutageFilter().doFilter(new MockHttpServletRequest("GET", "/api/v1/experiments"), response,
                    (req, res) -> {
                        throw away;
                    });
            assertThat(response.getStatus()).as(away.toString()).isEqualTo(503);
            assertThat(response.getHeader("Retry-After")).isEqualTo("5");
            assertThat(type(response)).isEqualTo("https://sparselab.dev/problems/unavailable");
        }
        assertThatThrownBy(() -> new OutageFilter().doFilter(new MockHttpServletRequest("GET", "/api/v1/x"),
                new MockHttpServletResponse(), (req, res) -> {
                    throw new IllegalStateException("a bug");
                })).isInstanceOf(IllegalStateException.class);
    }

}
