package dev.sparselab.experiment.admin;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.doCallRealMethod;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.sparselab.experiment.access.Access;
import dev.sparselab.experiment.access.Caller;
import dev.sparselab.experiment.outbox.Outbox;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * The admin routes in Spring MVC's web slice, with the gateway-identity filter, the problem advice and the
 * caller resolution of the real application: only requests from the gateway get in, only administrators see the
 * routes, bad parameters are named, and the parked outbox rows are listed.
 */
@WebMvcTest(AdminController.class)
@TestPropertySource(properties = "sparselab.internal-secret=" + AdminControllerTest.SECRET)
class AdminControllerTest {
    static final String SECRET = "0123456789abcdef-test-secret";

    @Autowired
    MockMvc mvc;
    @MockitoBean
    Access access;
    @MockitoBean
    DeadLetters deadLetters;
    @MockitoBean
    Outbox outbox;

    @BeforeEach
    void realAdminCheck() {
        doCallRealMethod().when(access).requireAdmin(any(Caller.class));
    }

    static MockHttpServletRequestBuilder as(MockHttpServletRequestBuilder request, boolean admin) {
        return request.header(Caller.INTERNAL, SECRET).header(Caller.USER_ID, UUID.randomUUID().toString())
                .header(Caller.USER, admin ? "root" : "alice").header(Caller.ADMIN, Boolean.toString(admin));
    }

    @Test
    void requestsThatDidNotComeThroughTheGatewayAreRefused() throws Exception {
        mvc.perform(get("/api/v1/admin/outbox/parked").header(Caller.INTERNAL, "wrong")
                        .header(Caller.USER_ID, UUID.randomUUID().toString()).header(Caller.USER, "root")
                        .header(Caller.ADMIN, "true"))
                .andExpect(status().isUnauthorized())
                .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
                .andExpect(jsonPath("$.type").value("https://sparselab.dev/problems/unauthorized"));
    }

    @Test
    void nonAdministratorsDoNotSeeTheRoutes() throws Exception {
        mvc.perform(as(get("/api/v1/admin/outbox/parked"), false))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("https://sparselab.dev/problems/not-found"));
        mvc.perform(as(get("/api/v1/admin/dead-letters"), false)).andExpect(status().isNotFound());
    }

    @Test
    void aBadLimitIsNamed() throws Exception {
        mvc.perform(as(get("/api/v1/admin/outbox/parked").param("limit", "0"), true))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("https://sparselab.dev/problems/invalid-parameter"))
                .andExpect(jsonPath("$.errors[0].parameter").value("limit"));
    }

    @Test
    void administratorsSeeTheParkedRows() throws Exception {
        Instant t = Instant.parse("2026-11-30T12:00:00Z");
        when(outbox.parked(anyInt())).thenReturn(List.of(new Outbox.Parked(7, "sparselab.run.control", "run-1",
                "RunCancelRequested", 5, "RecordTooLargeException: 2000123 bytes", t, t)));
        mvc.perform(as(get("/api/v1/admin/outbox/parked"), true))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].id").value(7))
                .andExpect(jsonPath("$[0].attempts").value(5))
                .andExpect(jsonPath("$[0].lastError").value("RecordTooLargeException: 2000123 bytes"));
    }
}
