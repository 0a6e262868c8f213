package io.tokenfactory.gateway.apikey;

import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.identity.IdentityTokens;
import io.tokenfactory.support.problem.ApiProblemException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreaker;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreakerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * agent-service's agents, asked by the gateway itself when agent-service's own key issues
 * or revokes an agent's key: the agent must exist there and belong to the department the
 * key is for. The request's word is never taken for it, so whoever steals agent-service's
 * key still cannot mint keys for a department of their choosing. Retried twice on
 * connection failures and 5xx, bounded by a timeout and a circuit breaker named
 * {@code agent-directory}; when agent-service cannot answer, nothing is issued (503).
 */
@Component
class AgentsClient {

    private static final Logger log = LoggerFactory.getLogger(AgentsClient.class);

    private final WebClient agents;

    private final IdentityTokens identityTokens;

    private final ReactiveCircuitBreaker breaker;

    AgentsClient(WebClient.Builder builder, GatewayProperties properties, IdentityTokens identityTokens,
            ReactiveCircuitBreakerFactory<?, ?> breakers) {
        this.agents = builder.clone().baseUrl(properties.upstreams().agents().toString()).build();
        this.identityTokens = identityTokens;
        this.breaker = breakers.create("agent-directory");
    }

    /**
     * Succeeds when agent-service owns this agent in this department, and (for a new key)
     * has not retired it; else 403 {@code agent_not_owned}.
     */
    Mono<Void> requireOwned(UUID agentId, @Nullable UUID departmentId, boolean forNewKey) {
        Mono<OwnedAgent> found = agents.get()
            .uri("/api/agents/{id}", agentId)
            .headers(headers -> headers.setBearerAuth(identityTokens.forGateway()))
            .retrieve()
            .bodyToMono(OwnedAgent.class)
            .timeout(Duration.ofSeconds(3))
            .retryWhen(Retry.backoff(2, Duration.ofMillis(100)).filter(AgentsClient::isTransient))
            .onErrorResume(WebClientResponseException.NotFound.class, notFound -> Mono.just(OwnedAgent.NONE));
        return breaker.run(found, failure -> {
            log.warn("agent-service could not confirm agent {}: {}", agentId,
                    failure.getCause() != null ? failure.getCause().toString() : failure.toString());
            return Mono.error(new ApiProblemException(HttpStatus.SERVICE_UNAVAILABLE, "agent_check_unavailable",
                    "Service unavailable", "agent-service could not confirm the agent; try again shortly"));
        }).flatMap(agent -> {
            if (agent.id() == null || departmentId == null || !departmentId.equals(agent.departmentId())) {
                return Mono.error(new ApiProblemException(HttpStatus.FORBIDDEN, "agent_not_owned", "Forbidden",
                        "agent-service owns no agent " + agentId + " in department " + departmentId));
            }
            if (forNewKey && "RETIRED".equals(agent.state())) {
                return Mono.error(new ApiProblemException(HttpStatus.FORBIDDEN, "agent_not_owned", "Forbidden",
                        "Agent " + agentId + " is retired: it gets no new key"));
            }
            return Mono.<Void>empty();
        });
    }

    private static boolean isTransient(Throwable failure) {
        return !(failure instanceof WebClientResponseException response) || response.getStatusCode().is5xxServerError();
    }

    /** The part of agent-service's agent the check reads. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record OwnedAgent(@Nullable UUID id, @Nullable UUID departmentId, @Nullable String state) {

        static final OwnedAgent NONE = new OwnedAgent(null, null, null);

    }

}
