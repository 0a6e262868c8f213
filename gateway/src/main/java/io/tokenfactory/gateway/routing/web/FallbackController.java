package io.tokenfactory.gateway.routing.web;

import java.util.concurrent.TimeoutException;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.tokenfactory.support.problem.ProblemTypes;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * Where a route's circuit breaker sends a call that failed: 504 for a timeout, 503 for
 * anything else.
 */
@RestController
class FallbackController {

    private static final Logger log = LoggerFactory.getLogger(FallbackController.class);

    private static final String RETRY_AFTER_SECONDS = "5";

    @RequestMapping("/fallback/{service}")
    ResponseEntity<ProblemDetail> fallback(@PathVariable String service, ServerWebExchange exchange) {
        Throwable failure = exchange.getAttribute(ServerWebExchangeUtils.CIRCUITBREAKER_EXECUTION_EXCEPTION_ATTR);
        if (!(failure instanceof CallNotPermittedException)) {
            log.warn("Call to {} failed: {}", service, failure == null ? "unknown" : failure.toString());
        }
        ProblemDetail problem = isTimeout(failure)
                ? ProblemTypes.problem(HttpStatus.GATEWAY_TIMEOUT, "upstream_timeout", "Upstream timeout",
                        service + " did not answer in time")
                : ProblemTypes.problem(HttpStatus.SERVICE_UNAVAILABLE, "service_unavailable", "Service unavailable",
                        service + " is not available right now; try again shortly");
        problem.setProperty("service", service);
        return ResponseEntity.status(problem.getStatus())
            .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
            .contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .body(problem);
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TimeoutException || (cause instanceof ResponseStatusException status
                    && status.getStatusCode().value() == HttpStatus.GATEWAY_TIMEOUT.value())) {
                return true;
            }
        }
        return false;
    }

}
