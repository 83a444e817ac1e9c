package dev.sparselab.gateway.auth;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** The authenticated caller of the current request. */
public final class Callers {
    private Callers() {
    }

    /** The caller, or null when the request is anonymous. */
    public static SparseLabUser current() {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        return a != null && a.getPrincipal() instanceof SparseLabUser u ? u : null;
    }

    static SparseLabUser required() {
        SparseLabUser u = current();
        if (u == null) {
            throw new ApiException(HttpStatus.UNAUTHORIZED, "not logged in");
        }
        return u;
    }

    static String via() {
        return SecurityContextHolder.getContext().getAuthentication() instanceof UserAuthentication a ? a.via() : null;
    }

    /** Instance administrators only; others do not see admin routes (404). */
    static SparseLabUser admin() {
        SparseLabUser u = required();
        if (!u.admin()) {
            throw ApiException.notFound("no such resource");
        }
        return u;
    }
}
