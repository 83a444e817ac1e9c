package dev.sparselab.experiment.access;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The experiment-service answers only the gateway: a request to {@code /api/} must carry the shared internal
 * secret and the identity the gateway authenticated; anything else is 401 and reaches no controller.
 */
public class GatewayIdentityFilter extends OncePerRequestFilter {
    private final byte[] secret;

    public GatewayIdentityFilter(String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalStateException("sparselab.internal-secret (SPARSELAB_INTERNAL_SECRET) must be set, at "
                    + "least 16 characters, the same for the gateway and the experiment-service");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !RequestPaths.of(request).startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String given = request.getHeader(Caller.INTERNAL);
        Caller caller = null;
        if (given != null && MessageDigest.isEqual(secret, given.getBytes(StandardCharsets.UTF_8))) {
            caller = caller(request);
        }
        if (caller == null) {
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            response.setContentType(dev.sparselab.contracts.problems.Problem.MEDIA_TYPE);
            response.getWriter().write(new dev.sparselab.contracts.problems.Problem(
                    dev.sparselab.contracts.problems.ProblemTypes.UNAUTHORIZED, "Unauthorized", 401,
                    "requests reach the experiment-service through the gateway only").json());
            return;
        }
        request.setAttribute(Caller.ATTRIBUTE, caller);
        chain.doFilter(request, response);
    }

    private static Caller caller(HttpServletRequest request) {
        String id = request.getHeader(Caller.USER_ID);
        String name = request.getHeader(Caller.USER);
        if (id == null || name == null) {
            return null;
        }
        try {
            return new Caller(UUID.fromString(id), name, "true".equals(request.getHeader(Caller.ADMIN)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
