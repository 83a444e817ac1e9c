package dev.sparselab.gateway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * Failed logins per account name, from any address ({@code sparselab.gateway.limits.login-failures-per-user-per-minute}):
 * guessing one account's password from many addresses is held to this rate. An account whose bucket is empty is
 * answered 429 (with the right password too) until it refills — a continuous attacker can delay that account's
 * password logins, never its API tokens or identity-provider sign-in.
 */
@Component
class LoginFailures {
    private final int perMinute;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(10)).build();

    LoginFailures(LimitProperties limits) {
        this.perMinute = limits.loginFailuresPerUserPerMinute();
    }

    private Bucket bucket(String username) {
        String key = (username.length() > 63 ? username.substring(0, 63) : username).toLowerCase(Locale.ROOT);
        return buckets.get(key, k -> Bucket.builder()
                .addLimit(l -> l.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1))).build());
    }

    /** Seconds until the account may try again, or 0 when it may now. */
    long secondsToWait(String username) {
        Bucket b = bucket(username);
        if (b.getAvailableTokens() > 0) {
            return 0;
        }
        long nanos = b.estimateAbilityToConsume(1).getNanosToWaitForRefill();
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    void failed(String username) {
        bucket(username).tryConsume(1);
    }

    int perMinute() {
        return perMinute;
    }
}
