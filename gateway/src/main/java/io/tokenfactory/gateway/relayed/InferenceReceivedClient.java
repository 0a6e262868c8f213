package io.tokenfactory.gateway.relayed;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.identity.IdentityTokens;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import reactor.util.retry.Retry;

/**
 * Tells inference-service how many completion tokens the client of a cut stream received:
 * when the replica serving it died, the request is closed with no more than that,
 * although more may have been made durable and sent (chunks in transit are lost with the
 * connection). Retried until an inference replica answers, for as long as the orphan is
 * still open there (about {@code orphan-after} plus a restart); lost if this gateway dies
 * first.
 */
@Component
class InferenceReceivedClient {

    private static final Logger log = LoggerFactory.getLogger(InferenceReceivedClient.class);

    private final WebClient inference;

    private final IdentityTokens identityTokens;

    private final Counter reported;

    private final Counter unreported;

    InferenceReceivedClient(WebClient.Builder builder, GatewayProperties properties, IdentityTokens identityTokens,
            MeterRegistry meters) {
        this.inference = builder.clone().baseUrl(properties.upstreams().inference().toString()).build();
        this.identityTokens = identityTokens;
        this.reported = Counter.builder("tokenfactory.gateway.cut.streams")
            .tag("result", "reported")
            .description("Streams cut short whose received tokens were told to inference-service")
            .register(meters);
        this.unreported = Counter.builder("tokenfactory.gateway.cut.streams")
            .tag("result", "unreported")
            .register(meters);
    }

    void report(String requestId, long completionTokens) {
        inference.post()
            .uri("/api/inference/requests/{id}/received", requestId)
            .headers(headers -> headers.setBearerAuth(identityTokens.forGateway()))
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("completionTokens", completionTokens))
            .retrieve()
            .toBodilessEntity()
            .timeout(Duration.ofSeconds(3))
            // a 404 is an answer: the request was logged (its replica lived) or closed
            .retryWhen(Retry.fixedDelay(120, Duration.ofSeconds(1))
                .filter(failure -> !(failure instanceof WebClientResponseException response)
                        || response.getStatusCode().is5xxServerError()))
            .subscribe(answered -> reported.increment(), failure -> {
                if (failure instanceof WebClientResponseException.NotFound) {
                    reported.increment();
                    return;
                }
                unreported.increment();
                log.warn("Could not tell inference-service that the client of {} received {} completion tokens: {}",
                        requestId, completionTokens, failure.toString());
            });
    }

}
