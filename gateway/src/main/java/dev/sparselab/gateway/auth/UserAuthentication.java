package dev.sparselab.gateway.auth;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** A request authenticated as a {@link SparseLabUser}, by token, JWT or session; {@code via} says which. */
public class UserAuthentication extends AbstractAuthenticationToken {
    private final SparseLabUser user;
    private final String via;

    public UserAuthentication(SparseLabUser user, String via) {
        super(user.admin() ? List.of(new SimpleGrantedAuthority("ROLE_USER"), new SimpleGrantedAuthority("ROLE_ADMIN"))
                : List.of(new SimpleGrantedAuthority("ROLE_USER")));
        this.user = user;
        this.via = via;
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
}
