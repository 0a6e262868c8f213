package io.tokenfactory.gateway.console;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The admin console: static files under {@code /console/} (the page, its script and
 * styles; ECharts from its WebJar). It holds no data and no secret of its own: the user
 * signs in with an API key, kept in the browser tab's session storage, and every figure
 * comes from the same APIs, scoped by that key.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleConfiguration {

    @Bean
    RouterFunction<ServerResponse> consolePage() {
        Resource page = new ClassPathResource("static/console/index.html");
        return RouterFunctions.route(GET("/console").or(GET("/console/")),
                request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(page));
    }

}
