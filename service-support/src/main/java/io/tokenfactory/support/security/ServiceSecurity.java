package io.tokenfactory.support.security;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;

import io.tokenfactory.support.problem.ProblemTypes;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

import tools.jackson.databind.json.JsonMapper;

/**
 * How every servlet service checks callers: only the gateway's identity token (a JWT
 * signed with the key the gateway publishes at {@code /.well-known/jwks.json}) lets a
 * request in; health, info and metrics stay open for operators; the dead letters
 * ({@code /api/dead-letters}) are for administrators. No token: 401; a token without the
 * needed scope: 403; both as problem details.
 */
public final class ServiceSecurity {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ServiceSecurity() {
    }

    /**
     * @param serviceRules the service's own path rules; every other request needs a
     * verified identity token
     */
    public static SecurityFilterChain filterChain(HttpSecurity http,
            Customizer<AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry> serviceRules)
            throws Exception {
        return http.csrf(AbstractHttpConfigurer::disable)
            .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .authorizeHttpRequests(requests -> {
                requests
                    .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info",
                            "/actuator/prometheus", "/error")
                    .permitAll()
                    // the API's description, for the gateway's /api/openapi.json: it
                    // grants nothing
                    .requestMatchers(HttpMethod.GET, "/v3/api-docs")
                    .permitAll()
                    // every consuming service's dead letters (DeadLetterController)
                    .requestMatchers("/api/dead-letters", "/api/dead-letters/**")
                    .hasAuthority(IdentityClaims.authority(IdentityClaims.SCOPE_ADMIN))
                    // every service's audit trail (AuditController)
                    .requestMatchers("/api/audit", "/api/audit/**")
                    .hasAuthority(IdentityClaims.authority(IdentityClaims.SCOPE_ADMIN));
                serviceRules.customize(requests);
                requests.anyRequest().authenticated();
            })
            .oauth2ResourceServer(
                    resourceServer -> resourceServer.jwt(Customizer.withDefaults())
                        .authenticationEntryPoint((request, response, failure) -> writeProblem(response,
                                HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized",
                                "This service only answers requests that come through the gateway"))
                        .accessDeniedHandler((request, response, denied) -> writeProblem(response, HttpStatus.FORBIDDEN,
                                "forbidden", "Forbidden", "The API key lacks the scope this operation needs")))
            .exceptionHandling(exceptions -> exceptions
                .authenticationEntryPoint(
                        (request, response, failure) -> writeProblem(response, HttpStatus.UNAUTHORIZED, "unauthorized",
                                "Unauthorized", "This service only answers requests that come through the gateway"))
                .accessDeniedHandler((request, response, denied) -> writeProblem(response, HttpStatus.FORBIDDEN,
                        "forbidden", "Forbidden", "The API key lacks the scope this operation needs")))
            .build();
    }

    private static void writeProblem(HttpServletResponse response, HttpStatus status, String code, String title,
            String detail) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", ProblemTypes.typeOf(code).toString());
        body.put("title", title);
        body.put("status", status.value());
        body.put("detail", detail);
        body.put(ProblemTypes.CODE, code);
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        if (status == HttpStatus.UNAUTHORIZED) {
            response.setHeader("WWW-Authenticate", "Bearer");
        }
        response.getOutputStream().write(JSON.writeValueAsBytes(body));
    }

}
