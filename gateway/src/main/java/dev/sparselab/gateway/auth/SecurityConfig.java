package dev.sparselab.gateway.auth;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationManagerResolver;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Who may call what. Anonymous: the health endpoints, the web UI's static files (its login page among them)
 * and {@code POST /api/v1/auth/login}; everything else under {@code /api/} needs an API token
 * ({@code Authorization: Bearer slt_...}), a JWT from the lab's identity provider (when a JWT decoder is
 * configured) or the web UI's session cookie. Session requests that change something must carry the CSRF token
 * ({@code X-XSRF-TOKEN} header, from the {@code XSRF-TOKEN} cookie); bearer requests need none.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {
    static final RequestMatcher BEARER = request -> {
        String h = request.getHeader("Authorization");
        return h != null && h.regionMatches(true, 0, "Bearer ", 0, 7);
    };

    /** Around everything, the security filters included: 503 while PostgreSQL is away. */
    @Bean
    org.springframework.boot.web.servlet.FilterRegistrationBean<OutageFilter> outageFilter() {
        var bean = new org.springframework.boot.web.servlet.FilterRegistrationBean<>(new OutageFilter());
        bean.setOrder(org.springframework.core.Ordered.HIGHEST_PRECEDENCE);
        return bean;
    }

    /** Before anything reads a body: 413 above the limit. */
    @Bean
    org.springframework.boot.web.servlet.FilterRegistrationBean<BodySizeFilter> bodySizeFilter(LimitProperties limits) {
        var bean = new org.springframework.boot.web.servlet.FilterRegistrationBean<>(
                new BodySizeFilter(limits.maxRequestBody().toBytes()));
        bean.setOrder(org.springframework.core.Ordered.HIGHEST_PRECEDENCE + 1);
        return bean;
    }

    /** The clock token lifetimes and last-use stamps are measured by; tests set their own. */
    @Bean
    java.time.Clock clock() {
        return java.time.Clock.systemUTC();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return new DelegatingPasswordEncoder("argon2",
                Map.of("argon2", Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8()));
    }

    @Bean
    SecurityFilterChain security(HttpSecurity http, IdentityStore identities, ObjectProvider<JwtDecoder> jwt,
                                 AuthProperties props, LimitProperties limits,
                                 org.springframework.core.env.Environment environment) throws Exception {
        AuthenticationManager bearer = bearerManager(identities, jwt.getIfAvailable(), props);
        AuthenticationManagerResolver<HttpServletRequest> resolver = request -> bearer;
        http.authorizeHttpRequests(a -> a
                        // the actuator's own port (deployments: loopback, or the cluster only): Prometheus scrapes
                        // and probes without credentials
                        .requestMatchers(request -> onManagementPort(request, environment)).permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .requestMatchers(HttpMethod.POST, "/api/v1/auth/login").permitAll()
                        // the gateway's own OpenAPI document: read by /api/v1/openapi.json over loopback
                        .requestMatchers(request -> RequestPaths.of(request).startsWith("/internal/")
                                && isLoopback(request.getRemoteAddr())).permitAll()
                        .requestMatchers("/api/**", "/actuator/**", "/internal/**").authenticated()
                        .anyRequest().permitAll())
                .oauth2ResourceServer(o -> o.authenticationManagerResolver(resolver)
                        .authenticationEntryPoint(SecurityConfig::unauthorized))
                .csrf(c -> c.spa().ignoringRequestMatchers(BEARER)
                        .ignoringRequestMatchers("/api/v1/auth/login"))
                .exceptionHandling(e -> e.authenticationEntryPoint(SecurityConfig::unauthorized)
                        .accessDeniedHandler(denied()))
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                // once the caller is known: their rate limit
                .addFilterAfter(new RateLimitFilter(limits),
                        org.springframework.security.web.access.intercept.AuthorizationFilter.class);
        return http.build();
    }

    /** API tokens, and JWTs when a decoder is configured (a JWT has two dots; a SparseLab token none). */
    static AuthenticationManager bearerManager(IdentityStore identities, JwtDecoder decoder, AuthProperties props) {
        JwtAuthenticationProvider jwtProvider = null;
        if (decoder != null) {
            jwtProvider = new JwtAuthenticationProvider(decoder);
            jwtProvider.setJwtAuthenticationConverter(new JwtIdentities(identities, props));
        }
        JwtAuthenticationProvider jwtAuth = jwtProvider;
        return authentication -> {
            String token = ((BearerTokenAuthenticationToken) authentication).getToken();
            if (jwtAuth != null && token.chars().filter(c -> c == '.').count() == 2) {
                return jwtAuth.authenticate(authentication);
            }
            return identities.authenticate(token)
                    .map(t -> new UserAuthentication(t.user(), "token", "token:" + t.id(), t.requestsPerMinute()))
                    .orElseThrow(() -> new InvalidBearerTokenException("unknown, expired or revoked token"));
        };
    }

    static boolean isLoopback(String address) {
        return "127.0.0.1".equals(address) || "0:0:0:0:0:0:0:1".equals(address) || "::1".equals(address);
    }

    /** 401 as problem+json; {@code WWW-Authenticate} says a bearer token is expected. */
    static void unauthorized(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        boolean tokenGiven = BEARER.matches(request);
        response.setHeader("WWW-Authenticate", tokenGiven
                ? "Bearer realm=\"sparselab\", error=\"invalid_token\"" : "Bearer realm=\"sparselab\"");
        problem(response, dev.sparselab.contracts.problems.ProblemTypes.UNAUTHORIZED, 401, "Unauthorized", tokenGiven
                ? "the token is unknown, expired or revoked"
                : "log in, or send an API token: Authorization: Bearer <token>");
    }

    /**
     * 403 as problem+json. The CSRF check runs before authentication: a request with neither a session nor a
     * token is answered 401 (log in), not 403, whatever it asks.
     */
    static AccessDeniedHandler denied() {
        return (request, response, e) -> {
            if (!(org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication()
                    instanceof UserAuthentication)) {
                unauthorized(request, response, null);
                return;
            }
            problem(response, dev.sparselab.contracts.problems.ProblemTypes.FORBIDDEN, 403, "Forbidden", e instanceof org.springframework.security.web.csrf.CsrfException
                    ? "missing or wrong CSRF token: send the XSRF-TOKEN cookie's value as header X-XSRF-TOKEN"
                    : "not allowed");
        };
    }

    /** Writes a problem body (by Jackson: any text in it is escaped) for a filter that answers itself. */
    static void problem(HttpServletResponse response, java.net.URI type, int status, String title, String detail)
            throws IOException {
        response.setStatus(status);
        response.setContentType(dev.sparselab.contracts.problems.Problem.MEDIA_TYPE);
        response.getWriter().write(new dev.sparselab.contracts.problems.Problem(type, title, status, detail).json());
    }

    /**
     * Whether the request came in on the actuator's own port: Spring Boot's {@code local.management.port}, when it is not
     * the server's (without a management port of its own, Boot gives both the same number).
     */
    static boolean onManagementPort(HttpServletRequest request, org.springframework.core.env.Environment environment) {
        Integer port = environment.getProperty("local.management.port", Integer.class);
        Integer server = environment.getProperty("local.server.port", Integer.class);
        return port != null && port > 0 && !port.equals(server) && request.getLocalPort() == port;
    }
}
