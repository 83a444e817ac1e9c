package dev.sparselab.gateway.auth;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The caller's API tokens: list, create (the secret is in the answer, once), revoke. */
@RestController
class TokenController {
    static final int MAX_DAYS = 3650;
    private final IdentityStore identities;

    TokenController(IdentityStore identities) {
        this.identities = identities;
    }

    /**
     * @param expiresInDays     1..3650; absent: the token does not expire
     * @param requestsPerMinute the token's own rate limit (administrators only; absent: the default)
     */
    record NewTokenRequest(String name, Integer expiresInDays, Integer requestsPerMinute) {
    }

    @GetMapping("/api/v1/tokens")
    List<IdentityStore.TokenInfo> list() {
        return identities.tokens(Callers.required().id());
    }

    @PostMapping("/api/v1/tokens")
    ResponseEntity<IdentityStore.NewToken> create(@RequestBody(required = false) NewTokenRequest request) {
        SparseLabUser caller = Callers.required();
        IdentityStore.NewToken token = create(identities, caller, caller, request);
        return ResponseEntity.created(URI.create("/api/v1/tokens/" + token.id())).body(token);
    }

    static IdentityStore.NewToken create(IdentityStore identities, SparseLabUser caller, SparseLabUser owner,
                                         NewTokenRequest request) {
        if (request == null) {
            throw ApiException.invalid("/name", "is required");
        }
        Duration lifetime = null;
        if (request.expiresInDays() != null) {
            if (request.expiresInDays() < 1 || request.expiresInDays() > MAX_DAYS) {
                throw ApiException.invalid("/expiresInDays", "must be between 1 and " + MAX_DAYS);
            }
            lifetime = Duration.ofDays(request.expiresInDays());
        }
        if (request.requestsPerMinute() != null) {
            if (!caller.admin()) {
                throw ApiException.invalid("/requestsPerMinute", "only administrators set a token's rate limit");
            }
            if (request.requestsPerMinute() < 1 || request.requestsPerMinute() > 1_000_000) {
                throw ApiException.invalid("/requestsPerMinute", "must be between 1 and 1000000");
            }
        }
        IdentityStore.NewToken token = identities.createToken(owner.id(), request.name(), lifetime);
        if (request.requestsPerMinute() != null) {
            identities.setTokenLimit(token.id(), request.requestsPerMinute());
        }
        identities.audit(caller.username(), "token.create", "token", token.id().toString(), null,
                Map.of("owner", owner.username(), "name", token.name(), "prefix", token.prefix()));
        return token;
    }

    @DeleteMapping("/api/v1/tokens/{id}")
    ResponseEntity<Void> revoke(@PathVariable UUID id) {
        SparseLabUser caller = Callers.required();
        UUID owner = identities.tokenOwner(id).filter(o -> o.equals(caller.id()) || caller.admin())
                .orElseThrow(() -> ApiException.notFound("no token with id " + id));
        if (identities.revoke(id)) {
            identities.audit(caller.username(), "token.revoke", "token", id.toString(), null,
                    Map.of("owner", owner.toString()));
        }
        return ResponseEntity.noContent().build();
    }
}
