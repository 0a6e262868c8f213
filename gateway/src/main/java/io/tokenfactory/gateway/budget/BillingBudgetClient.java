package io.tokenfactory.gateway.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.identity.IdentityTokens;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * billing-service's budget snapshot ({@code GET /api/billing/budget-snapshot}), read with
 * the gateway's own identity. One try per refresh: a refresh that fails keeps the terms
 * last known, and the next one tries again.
 */
@Component
class BillingBudgetClient {

    record Snapshot(Instant asOf, String period, String timeZone, String currency, List<DepartmentBudget> departments,
            List<ModelPrice> prices) {
    }

    record DepartmentBudget(UUID departmentId, BigDecimal monthlyBudget, boolean hardCap, int softAlertPercent,
            BigDecimal spent) {
    }

    record ModelPrice(String model, boolean embedding, BigDecimal promptPerMillion, BigDecimal completionPerMillion,
            BigDecimal embeddingPerMillion) {
    }

    private final WebClient billing;

    private final IdentityTokens identityTokens;

    BillingBudgetClient(WebClient.Builder builder, GatewayProperties properties, IdentityTokens identityTokens) {
        this.billing = builder.clone().baseUrl(properties.upstreams().billing().toString()).build();
        this.identityTokens = identityTokens;
    }

    Snapshot snapshot() {
        return billing.get()
            .uri("/api/billing/budget-snapshot")
            .headers(headers -> headers.setBearerAuth(identityTokens.forGateway()))
            .retrieve()
            .bodyToMono(Snapshot.class)
            .block(Duration.ofSeconds(5));
    }

}
