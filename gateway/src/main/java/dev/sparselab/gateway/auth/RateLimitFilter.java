package dev.sparselab.gateway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Token-bucket rate limits: per API token (or user) for authenticated requests, per client address for logins (the
 * address behind trusted proxies, {@link ClientAddresses}; failed logins per account: {@link LoginFailures}).
 * Over the limit: {@code 429} (problem+json) with {@code Retry-After}; under it, {@code X-RateLimit-Remaining}.
 */
class RateLimitFilter extends OncePerRequestFilter {
    private final LimitProperties limits;
    private final ClientAddresses clients;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(10)).build();

    RateLimitFilter(LimitProperties limits) {
        this.limits = limits;
        this.clients = new ClientAddresses(limits.trustedProxies());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key;
        int perMinute;
        if ("POST".equals(request.getMethod()) && "/api/v1/auth/login".equals(RequestPaths.of(request))) {
            key = "login:" + clients.of(request);
            perMinute = limits.loginsPerMinute();
        } else if (SecurityContextHolder.getContext().getAuthentication() instanceof UserAuthentication a) {
            key = a.limitKey();
            perMinute = a.requestsPerMinute() != null ? a.requestsPerMinute() : limits.requestsPerMinute();
        } else {
            chain.doFilter(request, response);
            return;
        }
        Bucket bucket = buckets.get(key + "@" + perMinute, k -> Bucket.builder()
                .addLimit(l -> l.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1))).build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            response.setHeader("X-RateLimit-Limit", Integer.toString(perMinute));
            response.setHeader("X-RateLimit-Remaining", Long.toString(probe.getRemainingTokens()));
            chain.doFilter(request, response);
            return;
        }
        long seconds = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
        response.setHeader("Retry-After", Long.toString(seconds));
        SecurityConfig.problem(response, dev.sparselab.contracts.problems.ProblemTypes.TOO_MANY_REQUESTS, 429, "Too Many Requests", "more than " + perMinute
                + " requests a minute; retry in " + seconds + " s");
    }
}
