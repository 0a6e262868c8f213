package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.support.jdbc.BatchStatement;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Charges summed the way a statement shows them — per department, billed month, month of
 * use, kind, model, agent and energy source — maintained in the transaction of every
 * charge, so a month's close reads a few thousand rows, not millions.
 */
@Component
class ChargeRollup {

    enum Kind {

        USAGE, IDLE, ADJUSTMENT

    }

    record Key(UUID department, YearMonth period, YearMonth servicePeriod, Kind kind, String model, UUID agent,
            String energySource) {

        static Key of(UUID department, YearMonth period, YearMonth servicePeriod, boolean idle, String model,
                UUID agent, String energySource) {
            Kind kind = !period.equals(servicePeriod) ? Kind.ADJUSTMENT : idle ? Kind.IDLE : Kind.USAGE;
            return new Key(department, period, servicePeriod, kind, model, agent, energySource);
        }
    }

    static final class Sums {

        long requests;

        long promptTokens;

        long completionTokens;

        long embeddingTokens;

        BigDecimal directJoules = BigDecimal.ZERO;

        BigDecimal idleJoules = BigDecimal.ZERO;

        BigDecimal overheadJoules = BigDecimal.ZERO;

        BigDecimal cost = BigDecimal.ZERO;

        BigDecimal charge = BigDecimal.ZERO;

        BigDecimal emissionsGrams = BigDecimal.ZERO;

    }

    private record Row(Key key, Sums sums) {
    }

    /**
     * One lock order for every writer, so concurrent charges never deadlock on these
     * rows.
     */
    private static final Comparator<Key> ORDER = Comparator.comparing((Key key) -> key.department())
        .thenComparing(Key::period)
        .thenComparing(Key::servicePeriod)
        .thenComparing(Key::kind)
        .thenComparing(Key::model, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(Key::agent, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(Key::energySource);

    private final JdbcTemplate jdbc;

    ChargeRollup(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    void add(Map<Key, Sums> sums) {
        if (sums.isEmpty()) {
            return;
        }
        List<Row> rows = new ArrayList<>();
        sums.forEach((key, value) -> rows.add(new Row(key, value)));
        rows.sort(Comparator.comparing(Row::key, ORDER));
        BatchStatement.of(rows)
            .uuid(row -> row.key().department())
            .text(row -> row.key().period().toString())
            .text(row -> row.key().servicePeriod().toString())
            .text(row -> row.key().kind().name())
            .text(row -> row.key().model())
            .uuid(row -> row.key().agent())
            .text(row -> row.key().energySource())
            .int8(row -> row.sums().requests)
            .int8(row -> row.sums().promptTokens)
            .int8(row -> row.sums().completionTokens)
            .int8(row -> row.sums().embeddingTokens)
            .numeric(row -> row.sums().directJoules)
            .numeric(row -> row.sums().idleJoules)
            .numeric(row -> row.sums().overheadJoules)
            .numeric(row -> row.sums().cost)
            .numeric(row -> row.sums().charge)
            .numeric(row -> row.sums().emissionsGrams)
            .update(jdbc, """
                    INSERT INTO charge_rollup AS r (department_id, period, service_period, kind, model, agent_id,
                        energy_source, requests, prompt_tokens, completion_tokens, embedding_tokens, direct_joules,
                        idle_joules, overhead_joules, cost, charge, emissions_grams)
                    SELECT department_id, period, service_period, kind, model, agent_id, energy_source, requests,
                        prompt_tokens, completion_tokens, embedding_tokens, direct_joules, idle_joules,
                        overhead_joules, cost, charge, emissions_grams
                    FROM unnest(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WITH ORDINALITY AS u(department_id,
                        period, service_period, kind, model, agent_id, energy_source, requests, prompt_tokens,
                        completion_tokens, embedding_tokens, direct_joules, idle_joules, overhead_joules, cost,
                        charge, emissions_grams, position)
                    ORDER BY position
                    ON CONFLICT ON CONSTRAINT charge_rollup_key DO UPDATE SET
                        requests = r.requests + excluded.requests,
                        prompt_tokens = r.prompt_tokens + excluded.prompt_tokens,
                        completion_tokens = r.completion_tokens + excluded.completion_tokens,
                        embedding_tokens = r.embedding_tokens + excluded.embedding_tokens,
                        direct_joules = r.direct_joules + excluded.direct_joules,
                        idle_joules = r.idle_joules + excluded.idle_joules,
                        overhead_joules = r.overhead_joules + excluded.overhead_joules,
                        cost = r.cost + excluded.cost,
                        charge = r.charge + excluded.charge,
                        emissions_grams = r.emissions_grams + excluded.emissions_grams""");
    }

}
