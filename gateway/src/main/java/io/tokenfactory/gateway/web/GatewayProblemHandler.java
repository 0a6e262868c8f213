package io.tokenfactory.gateway.web;

import java.util.LinkedHashMap;
import java.util.Map;

import io.tokenfactory.support.problem.ApiProblemException;
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
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's one error policy: whatever fails outside a route's fallback (no route,
 * bad request, an unexpected error) is answered as an RFC 9457 problem detail, never
 * Spring's default error page or a trace.
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
        if (failure instanceof ApiProblemException problem) {
            return problem.toProblemDetail();
        }
        if (failure instanceof WebExchangeBindException invalid) {
            ProblemDetail problem = ProblemTypes.problem(HttpStatus.BAD_REQUEST, "validation_failed",
                    "Validation failed", invalid.getFieldErrorCount() + " field(s) are invalid");
            problem.setProperty("errors", invalid.getFieldErrors()
                .stream()
                .map(error -> Map.of("field", error.getField(), "message", String.valueOf(error.getDefaultMessage())))
                .toList());
            return problem;
        }
        if (failure instanceof ServerWebInputException unreadable && unreadable.getMethodParameter() != null
                && unreadable.getMethodParameter().hasParameterAnnotation(RequestBody.class)) {
            return ProblemTypes.problem(HttpStatus.BAD_REQUEST, "malformed_body", "Malformed request body",
                    "The request body is missing or is not valid JSON for this operation");
        }
        if (failure instanceof ServerWebInputException) {
            return ProblemTypes.problem(HttpStatus.BAD_REQUEST, "invalid_parameter", "Invalid parameter",
                    "A path or query parameter has an invalid value");
        }
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
