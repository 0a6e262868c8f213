package io.tokenfactory.agents.clients;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import io.tokenfactory.agents.AgentProperties;
import io.tokenfactory.support.security.IdentityClaims;

import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * The gateway, agent-service's only way to it: chat completions with an agent's own key
 * (the run's id attached, so metering and billing know the run), and agent keys issued
 * and revoked with agent-service's own key (scope {@code agent-keys}). Built on Boot's
 * {@link RestClient.Builder}, so every call is observed (traces and
 * {@code http.client.requests}); one circuit breaker, {@code gateway}, makes calls fail
 * fast while the gateway cannot be reached. Answers of any status come back as they are:
 * what a 429 or a 503 means is the caller's business.
 */
@Component
public class GatewayClient {

    /** The gateway's answer: its status and body. */
    public record Answer(int status, String body) {
    }

    /**
     * No answer: the gateway cannot be reached, took too long ({@code timedOut}), or its
     * circuit is open.
     */
    public static final class Unreachable extends RuntimeException {

        private final boolean timedOut;

        Unreachable(String message, boolean timedOut) {
            super(message);
            this.timedOut = timedOut;
        }

        public boolean timedOut() {
            return timedOut;
        }

    }

    private final RestClient completions;

    private final RestClient keys;

    private final CircuitBreaker breaker;

    private final AgentProperties.Gateway settings;

    GatewayClient(RestClient.Builder builder, Resilience resilience, AgentProperties properties) {
        this.settings = properties.gateway();
        this.completions = client(builder, properties.runs().requestTimeout());
        this.keys = client(builder, Duration.ofSeconds(10));
        this.breaker = resilience.breaker("gateway");
    }

    private RestClient client(RestClient.Builder builder, Duration readTimeout) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
        requests.setReadTimeout(readTimeout);
        return builder.clone().baseUrl(settings.url().toString()).requestFactory(requests).build();
    }

    /**
     * One chat completion with the agent's key; blocks (interrupt the thread to abandon
     * it).
     */
    public Answer chatCompletion(String agentKey, UUID runId, String requestJson) {
        return call(() -> completions.post()
            .uri("/v1/chat/completions")
            .header("Authorization", "Bearer " + agentKey)
            .header(IdentityClaims.AGENT_RUN_HEADER, runId.toString())
            .contentType(MediaType.APPLICATION_JSON)
            .body(requestJson)
            .exchange(
                    (request, response) -> new Answer(response.getStatusCode().value(), response.bodyTo(String.class)),
                    true));
    }

    /**
     * A POST to the gateway's key API ({@code /api/keys...}) with agent-service's own
     * key.
     * @throws Unreachable also when agent-service has no key of its own (nothing can be
     * asked without one)
     */
    public Answer postWithServiceKey(String path, String json) {
        return withServiceKey(HttpMethod.POST, path, json);
    }

    /**
     * A PUT to the gateway's key API (an agent key's tags) with agent-service's own key.
     */
    public Answer putWithServiceKey(String path, String json) {
        return withServiceKey(HttpMethod.PUT, path, json);
    }

    /**
     * A GET of the gateway's rules (the allowed tag keys) with agent-service's own key.
     */
    public Answer getWithServiceKey(String path) {
        String serviceKey = serviceKey();
        return call(() -> keys.get()
            .uri(path)
            .header("Authorization", "Bearer " + serviceKey)
            .exchange(
                    (request, response) -> new Answer(response.getStatusCode().value(), response.bodyTo(String.class)),
                    true));
    }

    private Answer withServiceKey(HttpMethod method, String path, String json) {
        String serviceKey = serviceKey();
        return call(() -> keys.method(method)
            .uri(path)
            .header("Authorization", "Bearer " + serviceKey)
            .contentType(MediaType.APPLICATION_JSON)
            .body(json)
            .exchange(
                    (request, response) -> new Answer(response.getStatusCode().value(), response.bodyTo(String.class)),
                    true));
    }

    private Answer call(Supplier<Answer> exchange) {
        if (!breaker.tryAcquirePermission()) {
            throw new Unreachable("the gateway's circuit is open after repeated failures", false);
        }
        long start = System.nanoTime();
        try {
            Answer answer = exchange.get();
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return answer == null ? new Answer(502, "") : withBody(answer);
        }
        catch (ResourceAccessException failed) {
            if (Thread.currentThread().isInterrupted()) {
                // abandoned by the caller (cancelled run): not the gateway's fault
                breaker.releasePermission();
                throw new Unreachable("abandoned", false);
            }
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, failed);
            boolean timedOut = causedBy(failed, HttpTimeoutException.class);
            throw new Unreachable(timedOut ? "the gateway did not answer in time"
                    : "the gateway cannot be reached: " + failed.getMostSpecificCause().getMessage(), timedOut);
        }
        catch (RuntimeException unexpected) {
            breaker.releasePermission();
            throw unexpected;
        }
    }

    private static Answer withBody(Answer answer) {
        return answer.body() == null ? new Answer(answer.status(), "") : answer;
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    private String serviceKey() {
        if (settings.serviceKey() != null && !settings.serviceKey().isBlank()) {
            return settings.serviceKey().strip();
        }
        Path file = settings.serviceKeyFile();
        try {
            if (file != null && Files.exists(file)) {
                return Files.readString(file).strip();
            }
        }
        catch (IOException e) {
            throw new Unreachable("cannot read agent-service's key file " + file + ": " + e.getMessage(), false);
        }
        throw new Unreachable(
                "agent-service has no gateway key: set TF_AGENT_SERVICE_KEY_FILE (or TF_AGENT_SERVICE_KEY)"
                        + " to a key with scope agent-keys",
                false);
    }

}
