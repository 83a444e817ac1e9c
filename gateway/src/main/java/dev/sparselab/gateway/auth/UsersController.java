package dev.sparselab.gateway.auth;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Instance administration: users, tokens for them (provisioning scripts), the audit log. Others get 404. */
@RestController
class UsersController {
    private final IdentityStore identities;

    UsersController(IdentityStore identities) {
        this.identities = identities;
    }

    /** @param password null: the user authenticates with tokens or JWTs only */
    record NewUser(String username, String password, Boolean admin) {
    }

    @GetMapping("/api/v1/admin/users")
    List<IdentityStore.UserInfo> users() {
        Callers.admin();
        return identities.users();
    }

    @PostMapping("/api/v1/admin/users")
    ResponseEntity<IdentityStore.UserInfo> create(@RequestBody(required = false) NewUser request) {
        SparseLabUser caller = Callers.admin();
        if (request == null) {
            throw ApiException.invalid("/username", "is required");
        }
        SparseLabUser user = identities.createUser(request.username(), request.password(),
                Boolean.TRUE.equals(request.admin()));
        identities.audit(caller.username(), "user.create", "user", user.id().toString(), null,
                Map.of("username", user.username(), "admin", user.admin()));
        IdentityStore.UserInfo info = identities.users().stream().filter(u -> u.id().equals(user.id())).findFirst()
                .orElseThrow();
        return ResponseEntity.created(URI.create("/api/v1/admin/users/" + user.username())).body(info);
    }

    @PostMapping("/api/v1/admin/users/{username}/tokens")
    ResponseEntity<IdentityStore.NewToken> token(@PathVariable String username,
                                                 @RequestBody(required = false) TokenController.NewTokenRequest request) {
        SparseLabUser caller = Callers.admin();
        SparseLabUser owner = identities.user(username)
                .orElseThrow(() -> ApiException.notFound("no user '" + username + "'"));
        IdentityStore.NewToken token = TokenController.create(identities, caller, owner, request);
        return ResponseEntity.created(URI.create("/api/v1/tokens/" + token.id())).body(token);
    }

    @GetMapping("/api/v1/admin/audit")
    List<IdentityStore.AuditEntry> audit(@RequestParam(defaultValue = "200") int limit,
                                         @RequestParam(required = false) String actor,
                                         @RequestParam(required = false) String action) {
        Callers.admin();
        if (limit < 1 || limit > 5000) {
            throw new ApiException(org.springframework.http.HttpStatus.BAD_REQUEST, "limit must be 1..5000",
                    List.of(Map.of("parameter", "limit", "detail", "must be between 1 and 5000")));
        }
        return identities.auditLog(limit, actor, action);
    }
}
