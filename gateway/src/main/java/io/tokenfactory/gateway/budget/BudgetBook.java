package io.tokenfactory.gateway.budget;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.gateway.GatewayProperties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.tokenfactory.support.lifecycle.PeriodicTask;

/**
 * Billing's terms as the gateway holds them: each department's budget, hard cap and spend
 * this month, the token prices in force, the month's time zone and currency, and the
 * agents' budgets set here. Every few seconds it reads billing's snapshot into its own
 * database (so a gateway that starts while billing is away still caps and prices) and
 * reloads the terms from there, so all replicas agree; the hot path reads memory only.
 */
@Service
public class BudgetBook extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(BudgetBook.class);

    /** A department's budget as billing last said. */
    record DepartmentTerms(BigDecimal limit, boolean hardCap, BigDecimal spent, String period) {
    }

    /** An agent's budget, set here. */
    record AgentTerms(UUID departmentId, BigDecimal limit) {
    }

    /** Token prices per million. */
    record Price(boolean embedding, BigDecimal prompt, BigDecimal completion, BigDecimal embeddingTokens) {

        static final Price FREE = new Price(false, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);

        /** What these tokens cost, as billing prices them at list price. */
        BigDecimal charge(long promptTokens, long completionTokens) {
            BigDecimal perMillion = embedding ? embeddingTokens.multiply(BigDecimal.valueOf(promptTokens))
                    : prompt.multiply(BigDecimal.valueOf(promptTokens))
                        .add(completion.multiply(BigDecimal.valueOf(completionTokens)));
            return perMillion.movePointLeft(6);
        }

    }

    /**
     * @param ceiling the highest prompt and completion prices of any model: what a model
     * without a rate card is reserved at
     */
    record Terms(ZoneId zone, String currency, Map<UUID, DepartmentTerms> departments, Map<UUID, AgentTerms> agents,
            Map<String, Price> prices, Price ceiling) {

        YearMonth period(Instant now) {
            return YearMonth.from(now.atZone(zone));
        }

        Price priceOf(String model) {
            return model == null ? ceiling : prices.getOrDefault(model, ceiling);
        }

    }

    private final BillingBudgetClient billing;

    private final InferenceModelsClient inference;

    /** The most completion tokens each model may produce, as inference last said. */
    private volatile Map<String, Long> maxOutputTokens = Map.of();

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transaction;

    private final Clock clock;

    private volatile Terms terms = new Terms(ZoneOffset.UTC, "EUR", Map.of(), Map.of(), Map.of(), Price.FREE);

    private volatile boolean billingAway;

    BudgetBook(BillingBudgetClient billing, InferenceModelsClient inference, JdbcTemplate jdbc,
            TransactionTemplate transaction, GatewayProperties properties, Clock clock) {
        super("budget-book", properties.budgets().snapshotInterval());
        this.billing = billing;
        this.inference = inference;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.clock = clock;
    }

    Terms terms() {
        return terms;
    }

    @Override
    protected void beforeFirstRun() {
        runOnce();
    }

    @Override
    protected void runOnce() {
        try {
            BillingBudgetClient.Snapshot snapshot = billing.snapshot();
            if (snapshot != null) {
                transaction.executeWithoutResult(status -> store(snapshot));
            }
            if (billingAway) {
                log.info("Billing's budget snapshot read again");
                billingAway = false;
            }
        }
        catch (RuntimeException e) {
            if (!billingAway) {
                log.warn("Could not read billing's budget snapshot; holding budgets with the terms last known and "
                        + "this gateway's own tally: {}", e.getMessage());
                billingAway = true;
            }
        }
        try {
            terms = load();
        }
        catch (RuntimeException e) {
            log.warn("Could not reload budget terms; keeping the last known ones: {}", e.getMessage());
        }
        try {
            maxOutputTokens = inference.maxOutputTokens();
        }
        catch (RuntimeException e) {
            log.debug("Could not read inference's model list; keeping the last known one: {}", e.getMessage());
        }
    }

    /** The most completion tokens a model may produce, if inference said. */
    Long maxOutputTokens(String model) {
        return model == null ? null : maxOutputTokens.get(model);
    }

    /** Reloads the terms from the database now (a report of billing's was stored). */
    void reloadNow() {
        try {
            terms = load();
        }
        catch (RuntimeException e) {
            log.warn("Could not reload budget terms; the next refresh will: {}", e.getMessage());
        }
    }

    /**
     * Reloads the terms once the current transaction commits (an agent's budget changed
     * here); other replicas see it at their next refresh.
     */
    void reloadAfterCommit() {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                terms = load();
            }
        });
    }

    private void store(BillingBudgetClient.Snapshot snapshot) {
        jdbc.update("""
                INSERT INTO billing_terms (id, time_zone, currency, as_of) VALUES (1, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET time_zone = EXCLUDED.time_zone, currency = EXCLUDED.currency,
                    as_of = EXCLUDED.as_of""", snapshot.timeZone(), snapshot.currency(),
                Timestamp.from(snapshot.asOf()));
        jdbc.update("DELETE FROM model_price");
        jdbc.batchUpdate("""
                INSERT INTO model_price (model, embedding, prompt_per_million, completion_per_million,
                    embedding_per_million) VALUES (?, ?, ?, ?, ?)""",
                snapshot.prices()
                    .stream()
                    .map(price -> new Object[] { price.model(), price.embedding(), price.promptPerMillion(),
                            price.completionPerMillion(), price.embeddingPerMillion() })
                    .toList());
        // a report newer than the snapshot (an event) is kept
        jdbc.batchUpdate("""
                INSERT INTO department_budget (department_id, period, state, hard_cap, spent, budget_limit, currency,
                    reported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (department_id) DO UPDATE SET period = EXCLUDED.period, state = EXCLUDED.state,
                    hard_cap = EXCLUDED.hard_cap, spent = EXCLUDED.spent, budget_limit = EXCLUDED.budget_limit,
                    currency = EXCLUDED.currency, reported_at = EXCLUDED.reported_at
                WHERE department_budget.reported_at <= EXCLUDED.reported_at""",
                snapshot.departments()
                    .stream()
                    .map(department -> new Object[] { department.departmentId(), snapshot.period(), stateOf(department),
                            department.hardCap(), department.spent(), department.monthlyBudget(), snapshot.currency(),
                            Timestamp.from(snapshot.asOf()) })
                    .toList());
    }

    private static String stateOf(BillingBudgetClient.DepartmentBudget budget) {
        if (budget.monthlyBudget() == null) {
            return "OK";
        }
        if (budget.spent().compareTo(budget.monthlyBudget()) >= 0) {
            return "EXCEEDED";
        }
        BigDecimal warnAt = budget.monthlyBudget()
            .multiply(BigDecimal.valueOf(budget.softAlertPercent()))
            .movePointLeft(2);
        return budget.spent().compareTo(warnAt) >= 0 ? "WARNING" : "OK";
    }

    private Terms load() {
        List<String[]> billingTerms = jdbc.query("SELECT time_zone, currency FROM billing_terms WHERE id = 1",
                (row, i) -> new String[] { row.getString(1), row.getString(2) });
        Map<UUID, DepartmentTerms> departments = new HashMap<>();
        jdbc.query("SELECT department_id, period, hard_cap, spent, budget_limit FROM department_budget",
                (java.sql.ResultSet row) -> {
                    departments.put(row.getObject(1, UUID.class), new DepartmentTerms(row.getBigDecimal(5),
                            row.getBoolean(3), row.getBigDecimal(4), row.getString(2)));
                });
        Map<UUID, AgentTerms> agents = new HashMap<>();
        jdbc.query("SELECT agent_id, department_id, monthly_budget FROM agent_budget", (java.sql.ResultSet row) -> {
            agents.put(row.getObject(1, UUID.class),
                    new AgentTerms(row.getObject(2, UUID.class), row.getBigDecimal(3)));
        });
        Map<String, Price> prices = new HashMap<>();
        jdbc.query("""
                SELECT model, embedding, prompt_per_million, completion_per_million, embedding_per_million
                FROM model_price""", (java.sql.ResultSet row) -> {
            prices.put(row.getString(1),
                    new Price(row.getBoolean(2), row.getBigDecimal(3), row.getBigDecimal(4), row.getBigDecimal(5)));
        });
        Price ceiling = new Price(false,
                prices.values()
                    .stream()
                    .map(price -> price.embedding() ? price.embeddingTokens() : price.prompt())
                    .reduce(BigDecimal.ZERO, BigDecimal::max),
                prices.values().stream().map(Price::completion).reduce(BigDecimal.ZERO, BigDecimal::max),
                BigDecimal.ZERO);
        ZoneId zone = billingTerms.isEmpty() ? ZoneOffset.UTC : ZoneId.of(billingTerms.get(0)[0]);
        String currency = billingTerms.isEmpty() ? "EUR" : billingTerms.get(0)[1];
        return new Terms(zone, currency, Map.copyOf(departments), Map.copyOf(agents), Map.copyOf(prices), ceiling);
    }

    Instant now() {
        return clock.instant();
    }

}
