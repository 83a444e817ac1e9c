package dev.sparselab.gateway.auth;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A request authenticated as a {@link SparseLabUser}, by token, JWT or session; {@code via} says which. Requests
 * are rate-limited per {@code limitKey} (the token, or the user for sessions and JWTs), at
 * {@code requestsPerMinute} if the token has its own limit.
 */
public class UserAuthentication extends AbstractAuthenticationToken {
    private final SparseLabUser user;
    private final String via;
    private final String limitKey;
    private final Integer requestsPerMinute;

    public UserAuthentication(SparseLabUser user, String via) {
        this(user, via, "user:" + user.id(), null);
    }

    public UserAuthentication(SparseLabUser user, String via, String limitKey, Integer requestsPerMinute) {
        super(user.admin() ? List.of(new SimpleGrantedAuthority("ROLE_USER"), new SimpleGrantedAuthority("ROLE_ADMIN"))
                : List.of(new SimpleGrantedAuthority("ROLE_USER")));
        this.user = user;
        this.via = via;
        this.limitKey = limitKey;
        this.requestsPerMinute = requestsPerMinute;
        setAuthenticated(true);
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public SparseLabUser getPrincipal() {
        return user;
    }

    @Override
    public String getName() {
        return user.username();
    }

    public String via() {
        return via;
    }

    public String limitKey() {
        return limitKey;
    }

    /** The token's own limit; null: the default. */
    public Integer requestsPerMinute() {
        return requestsPerMinute;
    }
}
