package io.tokenfactory.billing.statement;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Published inside the transaction that closed a billing month, for whoever tells people
 * about it.
 *
 * @param period the month, e.g. {@code 2026-11}
 * @param currency the currency of every total
 * @param totalCharge the rounded sum of the statements' totals
 * @param statements one per department charged in the month
 */
public record PeriodClosed(String period, Instant closedAt, String currency, BigDecimal totalCharge,
        List<ClosedStatement> statements) {

    /**
     * One department's statement of the month.
     *
     * @param totalCharge the statement's total, rounded to the currency's minor unit
     */
    public record ClosedStatement(UUID statementId, UUID departmentId, BigDecimal totalCharge) {
    }

}
