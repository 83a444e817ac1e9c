package dev.sparselab.gateway;

import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.uri;
import static org.springframework.cloud.gateway.server.mvc.handler.GatewayRouterFunctions.route;
import static org.springframework.cloud.gateway.server.mvc.handler.HandlerFunctions.http;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/** The API routes: everything under {@code /api/} goes to the experiment-service unchanged. */
@Configuration(proxyBeanMethods = false)
class Routes {
    @Bean
    RouterFunction<ServerResponse> apiRoute(GatewayProperties props) {
        return route("experiment-api")
                .route(RequestPredicates.path("/api/**"), http())
                .before(uri(props.experimentService()))
                .build();
    }
}
