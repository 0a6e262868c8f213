package io.tokenfactory.gateway.web;

import java.util.LinkedHashMap;
import java.util.Map;

import io.tokenfactory.support.problem.ProblemTypes;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refusals the gateway writes itself (authentication, scopes, limits, budgets): one body
 * that is both an RFC 9457 problem detail and an OpenAI error
 * ({@code error.message/type/code}), so admin tools and OpenAI clients each find what
 * they parse.
 */
public final class ProblemResponses {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProblemResponses() {
    }

    public static Mono<Void> write(ServerWebExchange exchange, HttpStatus status, String code, String openAiType,
            String detail) {
        return write(exchange, status, code, openAiType, detail, null);
    }

    public static Mono<Void> write(ServerWebExchange exchange, HttpStatus status, String code, String openAiType,
            String detail, Long retryAfterSeconds) {
        return write(exchange, status, code, openAiType, detail, retryAfterSeconds, null);
    }

    /**
     * @param param the request field at fault, as OpenAI names it in {@code error.param}
     */
    public static Mono<Void> write(ServerWebExchange exchange, HttpStatus status, String code, String openAiType,
            String detail, Long retryAfterSeconds, String param) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", ProblemTypes.typeOf(code).toString());
        body.put("title", status.getReasonPhrase());
        body.put("status", status.value());
        body.put("detail", detail);
        body.put(ProblemTypes.CODE, code);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", detail);
        error.put("type", openAiType);
        error.put("param", param);
        error.put("code", code);
        body.put("error", error);
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (status == HttpStatus.UNAUTHORIZED) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (retryAfterSeconds != null) {
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        return response.writeWith(Mono.just(response.bufferFactory().wrap(JSON.writeValueAsBytes(body))));
    }

}
