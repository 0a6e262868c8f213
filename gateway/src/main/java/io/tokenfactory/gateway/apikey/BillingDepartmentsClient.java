package io.tokenfactory.gateway.apikey;

import java.time.Duration;
import java.util.UUID;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.identity.IdentityTokens;
import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreaker;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreakerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * billing-service's departments, the gateway's only call to billing: whether a department
 * exists. Reads are retried twice on connection failures and 5xx, bounded by a timeout
 * and a circuit breaker named {@code billing-directory}; when billing cannot answer, keys
 * are not created (503), never created for a department nobody checked.
 */
@Component
class BillingDepartmentsClient {

    private final WebClient billing;

    private final IdentityTokens identityTokens;

    private final ReactiveCircuitBreaker breaker;

    BillingDepartmentsClient(WebClient.Builder builder, GatewayProperties properties, IdentityTokens identityTokens,
            ReactiveCircuitBreakerFactory<?, ?> breakers) {
        // Boot's builder: the call is observed (traces, http.client.requests)
        this.billing = builder.clone().baseUrl(properties.upstreams().billing().toString()).build();
        this.identityTokens = identityTokens;
        this.breaker = breakers.create("billing-directory");
    }

    Mono<Void> requireExists(UUID departmentId) {
        if (departmentId == null) {
            return Mono.empty();
        }
        // an answer, "known" or "unknown", is a success for the breaker; only failing to
        // get one counts against it
        Mono<Boolean> known = billing.get()
            .uri("/api/billing/departments/{id}", departmentId)
            .headers(headers -> headers.setBearerAuth(identityTokens.forGateway()))
            .retrieve()
            .toBodilessEntity()
            .timeout(Duration.ofSeconds(3))
            .retryWhen(Retry.backoff(2, Duration.ofMillis(100)).filter(BillingDepartmentsClient::isTransient))
            .thenReturn(true)
            .onErrorResume(WebClientResponseException.NotFound.class, notFound -> Mono.just(false));
        return breaker
            .run(known,
                    failure -> Mono.error(new ApiProblemException(HttpStatus.SERVICE_UNAVAILABLE,
                            "department_check_unavailable", "Service unavailable",
                            "billing-service could not confirm the department; try again shortly")))
            .flatMap(exists -> exists ? Mono.<Void>empty() : Mono.error(ApiProblemException
                .unprocessable("unknown_department", "billing-service knows no department " + departmentId)));
    }

    private static boolean isTransient(Throwable failure) {
        return !(failure instanceof WebClientResponseException response) || response.getStatusCode().is5xxServerError();
    }

}
