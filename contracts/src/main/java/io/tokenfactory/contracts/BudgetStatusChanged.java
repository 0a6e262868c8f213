package io.tokenfactory.contracts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * billing-service → gateway, agent-service: a department crossed a budget threshold.
 *
 * @param period the billing period as an ISO year-month, e.g. {@code 2026-11}
 * @param currency ISO-4217 code of {@code spent} and {@code limit}
 * @param hardCap when true, requests are refused while the state is
 * {@link BudgetState#EXCEEDED}
 */
public record BudgetStatusChanged(UUID eventId, Instant occurredAt, UUID departmentId, String period, BigDecimal spent,
        BigDecimal limit, String currency, BudgetState state, boolean hardCap) implements TokenFactoryEvent {

    @Override
    public String subject() {
        return "department/" + departmentId;
    }
}
