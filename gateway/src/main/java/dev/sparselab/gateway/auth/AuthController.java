package dev.sparselab.gateway.auth;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The web UI's login: username and password → a session cookie (HttpOnly, SameSite=Lax) and a CSRF token. */
@RestController
class AuthController {
    private final IdentityStore identities;
    private final LoginFailures failures;
    private final HttpSessionSecurityContextRepository sessions = new HttpSessionSecurityContextRepository();

    AuthController(IdentityStore identities, LoginFailures failures) {
        this.identities = identities;
        this.failures = failures;
    }

    record Login(String username, String password) {
    }

    /** Who is calling: the user, their projects and roles, how they authenticated, and the CSRF token. */
    record Me(String username, boolean admin, String via, List<IdentityStore.ProjectRole> projects, String csrfToken) {
    }

    @PostMapping("/api/v1/auth/login")
    Me login(@RequestBody(required = false) Login login, HttpServletRequest request, HttpServletResponse response) {
        List<Map<String, String>> errors = new ArrayList<>();
        if (login == null || login.username() == null || login.username().isBlank()) {
            errors.add(Map.of("pointer", "/username", "detail", "is required"));
        }
        if (login == null || login.password() == null || login.password().isEmpty()) {
            errors.add(Map.of("pointer", "/password", "detail", "is required"));
        }
        if (!errors.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "the login request is invalid", errors);
        }
        long wait = failures.secondsToWait(login.username());
        if (wait > 0) {
            response.setHeader("Retry-After", Long.toString(wait));
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "more than " + failures.perMinute() + " failed "
                    + "logins a minute for this account; retry in " + wait + " s");
        }
        SparseLabUser user = identities.checkPassword(login.username(), login.password()).orElseThrow(() -> {
            failures.failed(login.username());
            identities.audit(login.username().length() > 63 ? login.username().substring(0, 63) : login.username(),
                    "login.failed", "user", null, null, null);
            return new ApiException(HttpStatus.UNAUTHORIZED, "wrong username or password");
        });
        // a new session id at login (no fixation), holding the authenticated user
        HttpSession old = request.getSession(false);
        if (old != null) {
            old.invalidate();
        }
        request.getSession(true);
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new UserAuthentication(user, "session"));
        SecurityContextHolder.setContext(context);
        sessions.saveContext(context, request, response);
        identities.audit(user.username(), "login", "user", user.id().toString(), null, null);
        return me(user, "session", request);
    }

    @PostMapping("/api/v1/auth/logout")
    Map<String, String> logout(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        SecurityContextHolder.clearContext();
        return Map.of("status", "logged out");
    }

    @GetMapping("/api/v1/auth/me")
    Me me(HttpServletRequest request) {
        return me(Callers.required(), Callers.via(), request);
    }

    private Me me(SparseLabUser user, String via, HttpServletRequest request) {
        CsrfToken csrf = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
        return new Me(user.username(), user.admin(), via, identities.projects(user.id()),
                csrf == null ? null : csrf.getToken());
    }
}
