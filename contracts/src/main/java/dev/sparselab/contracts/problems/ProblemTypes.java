package dev.sparselab.contracts.problems;

import java.net.URI;

/**
 * The stable {@code type} URIs of every RFC 9457 problem the API answers, in one place. A client may switch on
 * them; they never change meaning. (They name documentation; nothing needs to be served there.)
 */
public final class ProblemTypes {
    private ProblemTypes() {
    }

    private static URI of(String name) {
        return URI.create("https://sparselab.dev/problems/" + name);
    }

    /** 400: a spec with invalid fields ({@code errors: [{pointer, detail}]}); nothing was stored. */
    public static final URI INVALID_SPEC = of("invalid-spec");
    /** 400: a query parameter is invalid ({@code errors: [{parameter, detail}]}). */
    public static final URI INVALID_PARAMETER = of("invalid-parameter");
    /** 400: the body is not valid JSON of the expected shape, or names invalid fields. */
    public static final URI INVALID_REQUEST = of("invalid-request");
    /** 401: no valid credentials (token, session or JWT). */
    public static final URI UNAUTHORIZED = of("unauthorized");
    /** 403: the caller may read but not change this (a viewer), or lacks the role. */
    public static final URI FORBIDDEN = of("forbidden");
    /** 404: no such resource, or one the caller may not see (the same answer). */
    public static final URI NOT_FOUND = of("not-found");
    /** 409: the resource's state does not allow this (e.g. cancelling a finished run). */
    public static final URI CONFLICT = of("conflict");
    /** 413: the request body is over the limit; nothing was stored. */
    public static final URI CONTENT_TOO_LARGE = of("content-too-large");
    /** 429: over the rate limit ({@code Retry-After}). */
    public static final URI TOO_MANY_REQUESTS = of("too-many-requests");
    /** 503: a dependency (PostgreSQL, the experiment-service) is away for a moment ({@code Retry-After}). */
    public static final URI UNAVAILABLE = of("unavailable");
}
