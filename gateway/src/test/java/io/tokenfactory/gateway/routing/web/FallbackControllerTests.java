package io.tokenfactory.gateway.routing.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ResponseStatusException;

/**
 * A failed route's answer: 504 when the service timed out, 503 otherwise, and when to try
 * again.
 */
class FallbackControllerTests {

    private final FallbackController fallback = new FallbackController();

    @Test
    void aTimeoutAnywhereInTheCauseChainIsAGatewayTimeout() {
        assertThat(answer(new TimeoutException("no answer in 30 s")).getStatusCode())
            .isEqualTo(HttpStatus.GATEWAY_TIMEOUT);
        assertThat(answer(new IllegalStateException(new ResponseStatusException(HttpStatus.GATEWAY_TIMEOUT))).getBody()
            .getProperties()).containsEntry("code", "upstream_timeout");
    }

    @Test
    void anyOtherFailureOrAnOpenBreakerIsServiceUnavailable() {
        ResponseEntity<ProblemDetail> refused = answer(new ConnectException("connection refused"));
        ResponseEntity<ProblemDetail> open = answer(CallNotPermittedException
            .createCallNotPermittedException(CircuitBreaker.ofDefaults("billing-service")));

        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(refused.getBody().getDetail())
            .isEqualTo("billing-service is not available right now; try again " + "shortly");
        assertThat(refused.getBody().getProperties()).containsEntry("service", "billing-service");
        assertThat(refused.getHeaders().getFirst("Retry-After")).isEqualTo("5");
        assertThat(open.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(answer(null).getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
    }

    private ResponseEntity<ProblemDetail> answer(Throwable failure) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/fallback/x"));
        if (failure != null) {
            exchange.getAttributes().put(ServerWebExchangeUtils.CIRCUITBREAKER_EXECUTION_EXCEPTION_ATTR, failure);
        }
        return fallback.fallback("billing-service", exchange);
    }

}
