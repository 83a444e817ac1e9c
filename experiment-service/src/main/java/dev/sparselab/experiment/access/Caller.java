package dev.sparselab.experiment.access;

import java.util.UUID;

/**
 * Who makes a request, as the gateway authenticated them (token, session or JWT) and forwarded in the
 * {@code X-SparseLab-User-Id}, {@code X-SparseLab-User} and {@code X-SparseLab-Admin} headers.
 *
 * @param admin an instance administrator: every project and the admin routes
 */
public record Caller(UUID userId, String username, boolean admin) {
    public static final String USER_ID = "X-SparseLab-User-Id";
    public static final String USER = "X-SparseLab-User";
    public static final String ADMIN = "X-SparseLab-Admin";
    /** The secret the gateway and the experiment-service share; requests without it are refused. */
    public static final String INTERNAL = "X-SparseLab-Internal";
    static final String ATTRIBUTE = Caller.class.getName();
}
