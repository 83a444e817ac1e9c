package dev.sparselab.gateway.auth;

import dev.sparselab.db.Outages;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * While PostgreSQL is away the gateway cannot check tokens or sessions: such requests are answered 503 with
 * {@code Retry-After} (problem+json), like the experiment-service's, instead of failing with 500. It wraps
 * everything, the security filters included.
 */
class OutageFilter extends OncePerRequestFilter {
    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (RuntimeException | ServletException e) {
            if (!Outages.isDatabaseOutage(e) || response.isCommitted()) {
                throw e;
            }
            response.resetBuffer();
            response.setHeader("Retry-After", "5");
            SecurityConfig.problem(response, 503, "Service unavailable",
                    "the database is unavailable for the moment; nothing was changed, retry shortly");
        }
    }
}
