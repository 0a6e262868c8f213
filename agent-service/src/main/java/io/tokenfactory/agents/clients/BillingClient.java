package io.tokenfactory.agents.clients;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import io.tokenfactory.agents.AgentProperties;

import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * billing-service, asked for a run's joules and cost with the caller's own identity token
 * (so billing applies the caller's scope as well). Observed through Boot's
 * {@link RestClient.Builder}; circuit breaker {@code billing}.
 */
@Component
public class BillingClient {

    /** billing's answer: its status and body. */
    public record Answer(int status, String body) {
    }

    /** No answer from billing (unreachable, too slow, or its circuit is open). */
    public static final class Unreachable extends RuntimeException {

        Unreachable(String message) {
            super(message);
        }

    }

    private final RestClient billing;

    private final CircuitBreaker breaker;

    BillingClient(RestClient.Builder builder, Resilience resilience, AgentProperties properties) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build());
        requests.setReadTimeout(Duration.ofSeconds(3));
        this.billing = builder.clone().baseUrl(properties.billingUrl().toString()).requestFactory(requests).build();
        this.breaker = resilience.breaker("billing");
    }

    /**
     * {@code GET /api/billing/agent-runs/{runId}} on behalf of the caller whose token
     * this is.
     */
    public Answer agentRunCharges(UUID runId, String callerToken) {
        if (!breaker.tryAcquirePermission()) {
            throw new Unreachable("billing's circuit is open");
        }
        long start = System.nanoTime();
        try {
            Answer answer = billing.get()
                .uri("/api/billing/agent-runs/{runId}", runId)
                .header("Authorization", "Bearer " + callerToken)
                .exchange((request, response) -> new Answer(response.getStatusCode().value(),
                        response.bodyTo(String.class)), true);
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return answer;
        }
        catch (ResourceAccessException failed) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, failed);
            throw new Unreachable("billing cannot be reached");
        }
        catch (RuntimeException unexpected) {
            breaker.releasePermission();
            throw unexpected;
        }
    }

}
