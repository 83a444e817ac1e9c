package dev.sparselab.gateway;

import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.uri;
import static org.springframework.cloud.gateway.server.mvc.handler.GatewayRouterFunctions.route;
import static org.springframework.cloud.gateway.server.mvc.handler.HandlerFunctions.http;

import dev.sparselab.gateway.auth.Callers;
import dev.sparselab.gateway.auth.SparseLabUser;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.function.RequestPredicate;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The API routes: everything under {@code /api/} but the gateway's own identity routes goes to the
 * experiment-service, with the caller's identity (and the internal secret) in {@code X-SparseLab-*} headers
 * set here; such headers from the client, its credentials and cookies are not passed on.
 */
@Configuration(proxyBeanMethods = false)
class Routes {
    public static final String USER_ID = "X-SparseLab-User-Id";
    static final String USER = "X-SparseLab-User";
    static final String ADMIN = "X-SparseLab-Admin";
    static final String INTERNAL = "X-SparseLab-Internal";
    /** Served by the gateway itself. */
    static final List<String> OWN = List.of("/api/v1/auth/**", "/api/v1/tokens", "/api/v1/tokens/**",
            "/api/v1/projects", "/api/v1/projects/**", "/api/v1/admin/users", "/api/v1/admin/users/**",
            "/api/v1/admin/audit", "/api/v1/openapi.json", "/api/docs", "/api/docs/**", "/api/swagger-ui/**");

    @Bean
    RouterFunction<ServerResponse> apiRoute(GatewayProperties props, InternalSecretProperties internal) {
        String secret = internal.internalSecret();
        RequestPredicate own = OWN.stream().map(RequestPredicates::path).reduce(RequestPredicate::or).orElseThrow();
        return route("experiment-api")
                .route(RequestPredicates.path("/api/**").and(own.negate()), http())
                .before(uri(props.experimentService()))
                .before(identity(secret))
                .build();
    }

    static Function<ServerRequest, ServerRequest> identity(String secret) {
        return request -> {
            SparseLabUser user = Callers.current();
            return ServerRequest.from(request).headers(h -> {
                h.headerNames().stream()
                        .filter(n -> n.toLowerCase(Locale.ROOT).startsWith("x-sparselab-")
                                || n.equalsIgnoreCase("Authorization") || n.equalsIgnoreCase("Cookie"))
                        .toList().forEach(h::remove);
                h.set(INTERNAL, secret);
                if (user != null) {
                    h.set(USER_ID, user.id().toString());
                    h.set(USER, user.username());
                    h.set(ADMIN, Boolean.toString(user.admin()));
                }
            }).build();
        };
    }
}
