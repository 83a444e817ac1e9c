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
 * everything, the security filters included. Likewise while the experiment-service cannot be reached (not
 * listening, or gone in the middle of an answer: it restarts, or is being rolled): 503 with {@code Retry-After},
 * never a 500.
 */
class OutageFilter extends OncePerRequestFilter {
    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (RuntimeException | ServletException e) {
            boolean upstream = isUpstreamUnavailable(e);
            if (!upstream && !Outages.isDatabaseOutage(e) || response.isCommitted()) {
                throw e;
            }
            response.resetBuffer();
            response.setHeader("Retry-After", "5");
            SecurityConfig.problem(response, dev.sparselab.contracts.problems.ProblemTypes.UNAVAILABLE, 503, "Service unavailable", upstream
                    ? "the experiment service is unavailable for the moment; retry shortly"
                    : "the database is unavailable for the moment; nothing was changed, retry shortly");
        }
    }

    /** The proxied call to the experiment-service failed on I/O (refused, reset, closed mid-answer, timed out). */
    static boolean isUpstreamUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.springframework.web.client.ResourceAccessException
                    || t instanceof java.net.http.HttpTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
