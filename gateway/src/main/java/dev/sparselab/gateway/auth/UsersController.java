package dev.sparselab.gateway.auth;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
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

    /** An identity provider's user: its issuer ({@code iss}) and its subject there ({@code sub}). */
    record Identity(String issuer, String subject) {
    }

    @GetMapping("/api/v1/admin/users/{username}/identities")
    List<IdentityStore.IdentityLink> identities(@PathVariable String username) {
        Callers.admin();
        return identities.links(existing(username).id());
    }

    /** Links an identity to an account (pre-provisioned accounts; or to move an identity's runs to an account). */
    @PostMapping("/api/v1/admin/users/{username}/identities")
    ResponseEntity<IdentityStore.IdentityLink> link(@PathVariable String username,
                                                    @RequestBody(required = false) Identity request) {
        SparseLabUser caller = Callers.admin();
        SparseLabUser user = existing(username);
        List<Map<String, String>> errors = new java.util.ArrayList<>();
        String issuer = request == null ? null : request.issuer();
        String subject = request == null ? null : request.subject();
        if (issuer == null || issuer.isBlank() || issuer.length() > 2048) {
            errors.add(Map.of("pointer", "/issuer", "detail", "is required: the provider's issuer (the tokens' iss), "
                    + "at most 2048 characters"));
        }
        if (subject == null || subject.isBlank() || subject.length() > 255) {
            errors.add(Map.of("pointer", "/subject", "detail", "is required: the user's subject at the provider "
                    + "(the tokens' sub), at most 255 characters"));
        }
        if (!errors.isEmpty()) {
            throw new ApiException(org.springframework.http.HttpStatus.BAD_REQUEST,
                    "the request is invalid; nothing was changed", errors);
        }
        if (!identities.link(issuer, subject, user.id())) {
            throw new ApiException(org.springframework.http.HttpStatus.CONFLICT, "this identity is linked to an "
                    + "account already; unlink it there first");
        }
        identities.audit(caller.username(), "identity.link", "user", user.id().toString(), null,
                Map.of("issuer", issuer, "subject", subject));
        IdentityStore.IdentityLink link = identities.links(user.id()).stream()
                .filter(l -> l.issuer().equals(issuer) && l.subject().equals(subject)).findFirst().orElseThrow();
        return ResponseEntity.status(org.springframework.http.HttpStatus.CREATED).body(link);
    }

    @DeleteMapping("/api/v1/admin/users/{username}/identities")
    ResponseEntity<Void> unlink(@PathVariable String username, @RequestParam String issuer,
                                @RequestParam String subject) {
        SparseLabUser caller = Callers.admin();
        SparseLabUser user = existing(username);
        if (!identities.unlink(issuer, subject, user.id())) {
            throw ApiException.notFound("no such identity linked to '" + username + "'");
        }
        identities.audit(caller.username(), "identity.unlink", "user", user.id().toString(), null,
                Map.of("issuer", issuer, "subject", subject));
        return ResponseEntity.noContent().build();
    }

    private SparseLabUser existing(String username) {
        return identities.user(username).orElseThrow(() -> ApiException.notFound("no user '" + username + "'"));
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
