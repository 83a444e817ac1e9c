package dev.sparselab.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.problems.ProblemTypes;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.JsonNode;

/** The problem bodies the gateway's filters write themselves: valid JSON whatever the text, with stable types. */
class ProblemBodiesTest {
    @Test
    void aFiltersProblemBodyIsValidJsonWhateverItsText() throws Exception {
        String hostile = "quote \" backslash \\ newline \n tab \t nul \u0000 unicode \u2603 </script>";
        MockHttpServletResponse response = new MockHttpServletResponse();
        SecurityConfig.problem(response, ProblemTypes.TOO_MANY_REQUESTS, 429, "Too Many Requests", hostile);
        assertThat(response.getStatus()).isEqualTo(429);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        JsonNode body = EventCodec.mapper().readTree(response.getContentAsString());
        assertThat(body.get("detail").asString()).isEqualTo(hostile);
        assertThat(body.get("type").asString()).isEqualTo("https://sparselab.dev/problems/too-many-requests");
        assertThat(body.get("status").asInt()).isEqualTo(429);
    }

    @Test
    void everyStatusTheGatewayAnswersHasAStableType() {
        for (HttpStatus status : new HttpStatus[]{HttpStatus.BAD_REQUEST, HttpStatus.UNAUTHORIZED,
                HttpStatus.FORBIDDEN, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT, HttpStatus.CONTENT_TOO_LARGE,
                HttpStatus.TOO_MANY_REQUESTS, HttpStatus.SERVICE_UNAVAILABLE}) {
            assertThat(GatewayProblems.typeOf(status).toString()).as("%s", status)
                    .startsWith("https://sparselab.dev/problems/");
        }
    }
}
