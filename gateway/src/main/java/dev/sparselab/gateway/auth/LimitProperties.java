package dev.sparselab.gateway.auth;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * What one caller may send. Rate limits are token buckets per API token (or per user for sessions and JWTs),
 * held by each gateway replica: with n replicas behind a load balancer a caller gets up to n times the rate.
 *
 * @param requestsPerMinute default rate of a token (a token may have its own: {@code api_tokens.requests_per_minute})
 * @param loginsPerMinute   login attempts per client address
 * @param loginFailuresPerUserPerMinute failed logins per account name, from any address (refills continuously);
 *                          an account over it is answered 429 even with the right password until it refills
 * @param maxRequestBody    the largest request body ({@code 413} above)
 * @param trustedProxies    addresses or CIDR ranges of the reverse proxies in front of the gateway (the Ingress
 *                          controller's pods, a load balancer); only a request from one of them has its client address
 *                          taken from {@code X-Forwarded-For} (the right-most address not itself a trusted proxy).
 *                          Empty (the default): the connection's address is the client's
 */
@org.springframework.validation.annotation.Validated
@ConfigurationProperties("sparselab.gateway.limits")
public record LimitProperties(@DefaultValue("600") @jakarta.validation.constraints.Positive int requestsPerMinute,
                              @DefaultValue("10") @jakarta.validation.constraints.Positive int loginsPerMinute,
                              @DefaultValue("30") @jakarta.validation.constraints.Positive
                              int loginFailuresPerUserPerMinute,
                              @DefaultValue("1MB") @jakarta.validation.constraints.NotNull DataSize maxRequestBody,
                              List<String> trustedProxies) {
}
