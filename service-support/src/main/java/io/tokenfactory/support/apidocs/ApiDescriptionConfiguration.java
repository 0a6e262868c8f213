package io.tokenfactory.support.apidocs;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

import org.springdoc.core.customizers.GlobalOpenApiCustomizer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;

/**
 * What springdoc cannot see in a service's controllers: the bearer credential every
 * operation needs, and the problem (RFC 9457) every one answers when it refuses —
 * 400/401/403/404/409/413/422/429 as the case may be, described once as the default
 * response. Only where springdoc is on the classpath (the four servlet services).
 */
@AutoConfiguration
@ConditionalOnClass(name = "org.springdoc.core.customizers.GlobalOpenApiCustomizer")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class ApiDescriptionConfiguration {

    static final String PROBLEM = "Problem";

    @Bean
    GlobalOpenApiCustomizer tokenFactoryApiDescription(@Value("${spring.application.name}") String service) {
        return openApi -> describe(openApi, service);
    }

    static void describe(OpenAPI openApi, String service) {
        openApi.info(new Info().title(service)
            .version("v1")
            .description("Reached through the gateway, with an API key or a person's access token; behind it, "
                    + service + " takes only the identity token the gateway signs."));
        Components components = openApi.getComponents() == null ? new Components() : openApi.getComponents();
        openApi.components(components);
        components.addSecuritySchemes("apiKey",
                new SecurityScheme().type(SecurityScheme.Type.HTTP)
                    .scheme("bearer")
                    .description("An API key (tf_…) at the gateway"));
        openApi.security(java.util.List.of(new SecurityRequirement().addList("apiKey")));
        components.addSchemas(PROBLEM,
                new ObjectSchema().description("RFC 9457 problem details")
                    .addProperty("type", new StringSchema().format("uri"))
                    .addProperty("title", new StringSchema())
                    .addProperty("status", new IntegerSchema())
                    .addProperty("detail", new StringSchema())
                    .addProperty("instance", new StringSchema().format("uri"))
                    .addProperty("code", new StringSchema().description("what went wrong, for programs")));
        ApiResponse problem = new ApiResponse()
            .description("Refused: a problem saying why (400 bad input, 401 no valid credential, 403 not allowed, "
                    + "404 unknown, 409 conflict, 413 too large, 422 not processable, 429 too many)")
            .content(new Content().addMediaType("application/problem+json",
                    new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM))));
        if (openApi.getPaths() != null) {
            openApi.getPaths()
                .values()
                .forEach(path -> path.readOperations()
                    .forEach(operation -> operation.getResponses().putIfAbsent("default", problem)));
        }
    }

}
