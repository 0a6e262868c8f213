package io.tokenfactory.metering.usage;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.support.jdbc.BatchStatement;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The hourly and daily rollups by department, agent, model, node and energy source (UTC
 * buckets). Each ingested batch adds its sums; {@link #rebuild} recomputes a window from
 * the raw table with the same arithmetic, so the two always agree.
 */
@Component
class UsageRollups {

    enum Table {

        HOURLY("usage_hourly", "hour_start", "hour", ChronoUnit.HOURS),
        DAILY("usage_daily", "day_start", "day", ChronoUnit.DAYS);

        final String table;

        final String bucketColumn;

        final String truncation;

        final ChronoUnit unit;

        Table(String table, String bucketColumn, String truncation, ChronoUnit unit) {
            this.table = table;
            this.bucketColumn = bucketColumn;
            this.truncation = truncation;
            this.unit = unit;
        }

    }

    record Key(Instant bucket, UUID departmentId, UUID agentId, String model, String node, String energySource) {
    }

    private static final Comparator<Key> ORDER = Comparator.comparing(Key::bucket)
        .thenComparing(Key::departmentId)
        .thenComparing(Key::agentId, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(Key::model)
        .thenComparing(Key::node)
        .thenComparing(Key::energySource);

    static final class Sums {

        long requests;

        long promptTokens;

        long completionTokens;

        BigDecimal energyJoules = BigDecimal.ZERO;

        BigDecimal acceleratorSeconds = BigDecimal.ZERO;

        BigDecimal emissionsGrams = BigDecimal.ZERO;

        /**
         * The tokens whose emissions are known (the rest have no energy or intensity).
         */
        long emissionsTokens;

    }

    record Row(Key key, Sums sums) {
    }

    private final JdbcTemplate jdbc;

    UsageRollups(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    void add(List<UsageRecorded> records, Map<UUID, BigDecimal> emissions) {
        for (Table table : Table.values()) {
            upsert(table, sum(records, table.unit, emissions));
        }
    }

    /**
     * A batch's sums per bucket (of {@code unit}) and group, in the order every batch
     * locks them.
     */
    static List<Row> sum(List<UsageRecorded> records, ChronoUnit unit, Map<UUID, BigDecimal> emissions) {
        Map<Key, Sums> sums = new LinkedHashMap<>();
        for (UsageRecorded record : records) {
            Key key = new Key(record.occurredAt().truncatedTo(unit), record.departmentId(), record.agentId(),
                    record.model(), record.node(), record.energySource().name());
            Sums row = sums.computeIfAbsent(key, k -> new Sums());
            row.requests++;
            row.promptTokens += record.promptTokens();
            row.completionTokens += record.completionTokens();
            row.energyJoules = row.energyJoules.add(UsageAmounts.energyJoules(record));
            row.acceleratorSeconds = row.acceleratorSeconds.add(UsageAmounts.acceleratorSeconds(record));
            BigDecimal grams = emissions.get(record.eventId());
            if (grams != null) {
                row.emissionsGrams = row.emissionsGrams.add(grams);
                row.emissionsTokens += record.totalTokens();
            }
        }
        List<Row> rows = new ArrayList<>(sums.size());
        sums.forEach((key, row) -> rows.add(new Row(key, row)));
        // rows are locked in one order by every batch, so concurrent consumers never
        // deadlock
        rows.sort(Comparator.comparing(Row::key, ORDER));
        return rows;
    }

    private void upsert(Table table, List<Row> rows) {
        BatchStatement.of(rows)
            .timestamp(row -> row.key().bucket())
            .uuid(row -> row.key().departmentId())
            .uuid(row -> row.key().agentId())
            .text(row -> row.key().model())
            .text(row -> row.key().node())
            .text(row -> row.key().energySource())
            .int8(row -> row.sums().requests)
            .int8(row -> row.sums().promptTokens)
            .int8(row -> row.sums().completionTokens)
            .numeric(row -> row.sums().energyJoules)
            .numeric(row -> row.sums().acceleratorSeconds)
            .numeric(row -> row.sums().emissionsGrams)
            .int8(row -> row.sums().emissionsTokens)
            .update(jdbc, """
                    INSERT INTO %1$s AS r (%2$s, department_id, agent_id, model, node, energy_source, requests,
                        prompt_tokens, completion_tokens, energy_joules, accelerator_seconds, emissions_grams,
                        emissions_tokens)
                    SELECT bucket, department_id, agent_id, model, node, energy_source, requests, prompt_tokens,
                        completion_tokens, energy_joules, accelerator_seconds, emissions_grams, emissions_tokens
                    FROM unnest(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WITH ORDINALITY AS u(bucket, department_id,
                        agent_id, model, node, energy_source, requests, prompt_tokens, completion_tokens,
                        energy_joules, accelerator_seconds, emissions_grams, emissions_tokens, position)
                    ORDER BY position
                    ON CONFLICT ON CONSTRAINT %1$s_key DO UPDATE SET
                        requests = r.requests + excluded.requests,
                        prompt_tokens = r.prompt_tokens + excluded.prompt_tokens,
                        completion_tokens = r.completion_tokens + excluded.completion_tokens,
                        energy_joules = r.energy_joules + excluded.energy_joules,
                        accelerator_seconds = r.accelerator_seconds + excluded.accelerator_seconds,
                        emissions_grams = r.emissions_grams + excluded.emissions_grams,
                        emissions_tokens = r.emissions_tokens + excluded.emissions_tokens""".formatted(table.table,
                    table.bucketColumn));
    }

    /**
     * Recomputes both rollups for [start, end), whole UTC days, from the raw table.
     * Ingestion waits while it runs (the rollups are locked until the transaction ends),
     * so no batch is counted twice or missed.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    void rebuild(Instant start, Instant end) {
        jdbc.execute("LOCK TABLE usage_hourly, usage_daily IN SHARE ROW EXCLUSIVE MODE");
        for (Table table : Table.values()) {
            jdbc.update("DELETE FROM %s WHERE %s >= ? AND %s < ?".formatted(table.table, table.bucketColumn,
                    table.bucketColumn), Timestamp.from(start), Timestamp.from(end));
            jdbc.update(
                    """
                            INSERT INTO %1$s (%2$s, department_id, agent_id, model, node, energy_source, requests,
                                prompt_tokens, completion_tokens, energy_joules, accelerator_seconds, emissions_grams,
                                emissions_tokens)
                            SELECT date_trunc('%3$s', occurred_at, 'UTC'), department_id, agent_id, model, node, energy_source,
                                count(*), sum(prompt_tokens), sum(completion_tokens), sum(energy_joules),
                                sum(accelerator_seconds), coalesce(sum(emissions_grams), 0),
                                coalesce(sum(prompt_tokens + completion_tokens) FILTER (WHERE emissions_grams IS NOT NULL), 0)
                            FROM usage_record
                            WHERE occurred_at >= ? AND occurred_at < ?
                            GROUP BY 1, department_id, agent_id, model, node, energy_source"""
                        .formatted(table.table, table.bucketColumn, table.truncation),
                    Timestamp.from(start), Timestamp.from(end));
        }
    }

}
