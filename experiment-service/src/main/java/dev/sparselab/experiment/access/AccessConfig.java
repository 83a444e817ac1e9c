package dev.sparselab.experiment.access;

import java.util.List;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** The gateway-identity filter, and {@link Caller} as a controller argument. */
@Configuration(proxyBeanMethods = false)
@org.springframework.boot.context.properties.EnableConfigurationProperties(InternalSecretProperties.class)
class AccessConfig implements WebMvcConfigurer {
    @Bean
    FilterRegistrationBean<GatewayIdentityFilter> gatewayIdentityFilter(InternalSecretProperties secret) {
        FilterRegistrationBean<GatewayIdentityFilter> bean =
                new FilterRegistrationBean<>(new GatewayIdentityFilter(secret.internalSecret()));
        bean.addUrlPatterns("/api/*");
        return bean;
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new HandlerMethodArgumentResolver() {
            @Override
            public boolean supportsParameter(MethodParameter parameter) {
                return parameter.getParameterType() == Caller.class;
            }

            @Override
            public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mav,
                                          NativeWebRequest request, WebDataBinderFactory binders) {
                Object caller = request.getAttribute(Caller.ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
                if (caller == null) {
                    throw new IllegalStateException("no caller: the gateway-identity filter did not run");
                }
                return caller;
            }
        });
    }
}
