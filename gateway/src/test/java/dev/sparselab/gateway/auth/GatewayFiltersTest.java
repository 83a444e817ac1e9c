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

    static LimitProperties limits(int loginsPerMinute, String... trustedProxies) {
        return new LimitProperties(600, loginsPerMinute, 30, DataSize.ofMegabytes(1), java.util.List.of(trustedProxies));
    }

    static MockHttpServletRequest login(String remote, String forwardedFor) {
        MockHttpServletRequest login = new MockHttpServletRequest("POST", "/api/v1/auth/login");
        login.setRemoteAddr(remote);
        if (forwardedFor != null) {
            login.addHeader("X-Forwarded-For", forwardedFor);
        }
        return login;
    }

    /**
     * Issue 20 item 2: behind the Ingress (a trusted proxy) each client has its own login limit, keyed by the address
     * the proxy saw; a client's own X-Forwarded-For text is not believed, and without trusted proxies the header is
     * ignored altogether.
     */
    @Test
    void behindTrustedProxiesEachClientHasItsOwnLoginLimit() throws Exception {
        RateLimitFilter filter = new RateLimitFilter(limits(2, "10.42.0.0/16", "fd00::/8"));
        int[] statuses = new int[3];
        for (int i = 0; i < 3; i++) { // client A through the Ingress pod 10.42.1.5
            MockHttpServletResponse r = new MockHttpServletResponse();
            filter.doFilter(login("10.42.1.5", "198.51.100.7"), r, (req, res) -> { });
            statuses[i] = r.getStatus();
        }
        assertThat(statuses).containsExactly(200, 200, 429);
        // client B through the same Ingress pod: its own bucket (before: both shared the pod's address)
        MockHttpServletResponse b = new MockHttpServletResponse();
        filter.doFilter(login("10.42.1.5", "203.0.113.9"), b, (req, res) -> { });
        assertThat(b.getStatus()).isEqualTo(200);
        // client A forging a left-most address: the right-most untrusted one (what the proxy saw) counts
        MockHttpServletResponse forged = new MockHttpServletResponse();
        filter.doFilter(login("10.42.1.5", "192.0.2.1, 198.51.100.7"), forged, (req, res) -> { });
        assertThat(forged.getStatus()).isEqualTo(429);
        // two trusted hops (a load balancer, then the Ingress over IPv6)
        MockHttpServletResponse twoHops = new MockHttpServletResponse();
        filter.doFilter(login("fd00::12", "198.51.100.7, 10.42.3.3"), twoHops, (req, res) -> { });
        assertThat(twoHops.getStatus()).isEqualTo(429);
        // an untrusted sender's header is ignored: its own address counts
        RateLimitFilter direct = new RateLimitFilter(limits(1));
        MockHttpServletResponse first = new MockHttpServletResponse();
        MockHttpServletResponse second = new MockHttpServletResponse();
        direct.doFilter(login("192.0.2.50", "198.51.100.1"), first, (req, res) -> { });
        direct.doFilter(login("192.0.2.50", "198.51.100.2"), second, (req, res) -> { });
        assertThat(second.getStatus()).isEqualTo(429);
        // a garbled header from a trusted proxy does not break anything
        MockHttpServletResponse garbled = new MockHttpServletResponse();
        filter.doFilter(login("10.42.1.5", "not an address, ../.."), garbled, (req, res) -> { });
        assertThat(garbled.getStatus()).isEqualTo(200);
    }

    @Test
    void aTrustedProxyThatIsNotAnAddressStopsTheGatewayAtStartUp() {
        assertThatThrownBy(() -> new RateLimitFilter(limits(2, "10.0.0.0/8", "ingress.local")))
                .hasMessageContaining("trusted-proxies").hasMessageContaining("ingress.local");
        assertThatThrownBy(() -> new RateLimitFilter(limits(2, "10.0.0.0/40")))
                .hasMessageContaining("trusted-proxies");
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
        RateLimitFilter filter = new RateLimitFilter(limits(2));
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
        RateLimitFilter filter = new RateLimitFilter(limits(2));
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
