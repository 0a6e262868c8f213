package io.tokenfactory.gateway.web;

import java.util.LinkedHashMap;
import java.util.Map;

import io.tokenfactory.support.problem.ProblemTypes;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webflux.error.ErrorWebExceptionHandler;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's one error policy: whatever fails outside a route's fallback (no route, bad request, an
 * unexpected error) is answered as an RFC 9457 problem detail, never Spring's default error page or a trace.
 */
@Component
@Order(-2)
class GatewayProblemHandler implements ErrorWebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(GatewayProblemHandler.class);

    private final JsonMapper json;

    GatewayProblemHandler(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(failure);
        }
        ProblemDetail problem = toProblem(failure);
        exchange.getResponse().setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
        exchange.getResponse().getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        DataBuffer body = exchange.getResponse().bufferFactory().wrap(json.writeValueAsBytes(asMap(problem)));
        return exchange.getResponse().writeWith(Mono.just(body));
    }

    private static ProblemDetail toProblem(Throwable failure) {
        if (failure instanceof ErrorResponse response) {
            HttpStatusCode status = response.getStatusCode();
            String code = ProblemTypes.defaultCode(status);
            String reason = status instanceof HttpStatus known ? known.getReasonPhrase() : "Error";
            return ProblemTypes.problem(status, code, reason, response.getBody().getDetail());
        }
        log.error("Unexpected gateway error", failure);
        return ProblemTypes.problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "Internal error",
                "The request could not be completed; it has been logged.");
    }

    private static Map<String, Object> asMap(ProblemDetail problem) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.getType().toString());
        body.put("title", problem.getTitle());
        body.put("status", problem.getStatus());
        body.put("detail", problem.getDetail());
        if (problem.getProperties() != null) {
            body.putAll(problem.getProperties());
        }
        return body;
    }
}
