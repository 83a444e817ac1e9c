package dev.sparselab.experiment.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** Issue 20, item 3: a request without the gateway's secret reaches no API controller, however its path is written. */
class GatewayIdentityFilterTest {
    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/experiments", "/%61pi/v1/experiments", "/api;x=1/v1/experiments",
        "//api/v1/experiments", "/./api/v1/experiments"})
    void aRequestWithoutTheSecretIsRefused(String uri) throws Exception {
        AtomicInteger reached = new AtomicInteger();
        MockHttpServletResponse response = new MockHttpServletResponse();
        new GatewayIdentityFilter("0123456789abcdef0123").doFilter(new MockHttpServletRequest("GET", uri), response,
                (req, res) -> reached.incrementAndGet());
        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(reached).hasValue(0);
    }
}
