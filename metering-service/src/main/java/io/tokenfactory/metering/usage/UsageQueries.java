package io.tokenfactory.metering.usage;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.metering.TimeBuckets;
import io.tokenfactory.metering.usage.UsageQuery.Dimension;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.problem.QueryParameters;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads usage: minute buckets (and windows not on whole hours) from the raw table, hour
 * and day buckets from the rollups. Every statement is built from fixed column names;
 * only values are bound.
 */
@Service
public class UsageQueries {

    /** More buckets than this is a mistake, not a report. */
    static final int MAX_BUCKETS = 10_000;

    /** At most this many rows answer one query. */
    static final int MAX_ROWS = 100_000;

    private final JdbcTemplate jdbc;

    UsageQueries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(readOnly = true)
    public UsageReport usage(UsageQuery query) {
        if (!query.from().isBefore(query.to())) {
            throw QueryParameters.invalid("from must be before to");
        }
        ReadPlan plan = ReadPlan.of(query);
        Instant from = plan.from();
        Instant to = plan.to();
        String table = plan.table();
        String bucketColumn = plan.bucketColumn();
        String bucket = plan.bucket();
        List<Object> parameters = new ArrayList<>();
        StringBuilder select = new StringBuilder("SELECT ").append(bucket == null ? "NULL::timestamptz" : bucket);
        StringBuilder groupBy = new StringBuilder(" GROUP BY ").append(bucket == null ? "()" : "1");
        // always by source in SQL: a row's mix of sources is folded from these when it is
        // not grouped by source
        for (Dimension dimension : Dimension.values()) {
            if (query.groupBy().contains(dimension) || dimension == Dimension.ENERGY_SOURCE) {
                select.append(", ").append(dimension.column);
                groupBy.append(", ").append(dimension.column);
            }
            else {
                select.append(", NULL");
            }
        }
        boolean raw = table.equals("usage_record");
        String count = raw ? "count(*)" : "sum(requests)";
        String emissionsTokens = raw
                ? "sum(prompt_tokens + completion_tokens) FILTER (WHERE emissions_grams IS NOT NULL)"
                : "sum(emissions_tokens)";
        // the rollups have no end user, tags or deployment: a query by them reads the raw
        // records (ReadPlan)
        select.append(", ")
            .append(count)
            .append(", sum(prompt_tokens), sum(completion_tokens), sum(energy_joules), ")
            .append("sum(accelerator_seconds), sum(emissions_grams), ")
            .append(emissionsTokens)
            .append(" FROM ")
            .append(table)
            .append(" WHERE ")
            .append(bucketColumn)
            .append(" >= ? AND ")
            .append(bucketColumn)
            .append(" < ?");
        parameters.add(Timestamp.from(from));
        parameters.add(Timestamp.from(to));
        filter(select, parameters, "department_id", query.department());
        filter(select, parameters, "agent_id", query.agent());
        filter(select, parameters, "model", query.model());
        filter(select, parameters, "node", query.node());
        filter(select, parameters, "energy_source", query.energySource());
        filter(select, parameters, "end_user", query.user());
        filter(select, parameters, "team", query.team());
        filter(select, parameters, "project", query.project());
        select.append(groupBy);
        select.append(" ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 LIMIT ").append(MAX_ROWS + 1);
        List<UsageReport.Row> bySource = jdbc.query(select.toString(), UsageQueries::row, parameters.toArray());
        if (bySource.size() > MAX_ROWS) {
            throw new ApiProblemException(HttpStatus.UNPROCESSABLE_CONTENT, "result_too_large", "Result too large",
                    "the query answers more than " + MAX_ROWS
                            + " rows; group by fewer dimensions or shorten the window");
        }
        List<UsageReport.Row> rows = query.groupBy().contains(Dimension.ENERGY_SOURCE) ? bySource : mixed(bySource);
        return new UsageReport(from, to, query.granularity(), query.groupBy(), rows, totals(bySource));
    }

    /**
     * Where a query reads and over which window: minute buckets from the raw table; hour
     * and day buckets from their rollups, the window widened to whole buckets; a total
     * from the hourly rollup when the window is whole hours, else from the raw table.
     *
     * @param bucket the SQL expression of a row's bucket; null for a total
     */
    record ReadPlan(Instant from, Instant to, String table, String bucketColumn, String bucket) {

        /**
         * @throws io.tokenfactory.support.problem.ApiProblemException when the window
         * holds too many buckets
         */
        static ReadPlan of(UsageQuery query) {
            Instant from = query.from();
            Instant to = query.to();
            ReadPlan plan = query.byUser() ? raw(query) : switch (query.granularity()) {
                case MINUTE ->
                    new ReadPlan(from, to, "usage_record", "occurred_at", "date_trunc('minute', occurred_at, 'UTC')");
                case HOUR -> new ReadPlan(TimeBuckets.floor(from, ChronoUnit.HOURS),
                        TimeBuckets.ceil(to, ChronoUnit.HOURS), "usage_hourly", "hour_start", "hour_start");
                case DAY -> new ReadPlan(TimeBuckets.floor(from, ChronoUnit.DAYS),
                        TimeBuckets.ceil(to, ChronoUnit.DAYS), "usage_daily", "day_start", "day_start");
                case TOTAL -> TimeBuckets.floor(from, ChronoUnit.HOURS).equals(from)
                        && TimeBuckets.floor(to, ChronoUnit.HOURS).equals(to)
                                ? new ReadPlan(from, to, "usage_hourly", "hour_start", null)
                                : new ReadPlan(from, to, "usage_record", "occurred_at", null);
            };
            // counted over the window asked for, not the widened one
            if (query.granularity().unit != null
                    && query.length().dividedBy(query.granularity().unit.getDuration()) > MAX_BUCKETS) {
                throw QueryParameters.invalid(
                        "the window holds more than " + MAX_BUCKETS + " " + query.granularity().name().toLowerCase()
                                + " buckets; choose a coarser granularity or a " + "shorter window");
            }
            return plan;
        }
    }

    /**
     * Every granularity from the raw records, bucketed as the rollups are (UTC, the
     * window widened to whole buckets).
     */
    private static ReadPlan raw(UsageQuery query) {
        return switch (query.granularity()) {
            case MINUTE -> new ReadPlan(query.from(), query.to(), "usage_record", "occurred_at",
                    "date_trunc('minute', occurred_at, 'UTC')");
            case HOUR -> new ReadPlan(TimeBuckets.floor(query.from(), ChronoUnit.HOURS),
                    TimeBuckets.ceil(query.to(), ChronoUnit.HOURS), "usage_record", "occurred_at",
                    "date_trunc('hour', occurred_at, 'UTC')");
            case DAY -> new ReadPlan(TimeBuckets.floor(query.from(), ChronoUnit.DAYS),
                    TimeBuckets.ceil(query.to(), ChronoUnit.DAYS), "usage_record", "occurred_at",
                    "date_trunc('day', occurred_at, 'UTC')");
            case TOTAL -> new ReadPlan(query.from(), query.to(), "usage_record", "occurred_at", null);
        };
    }

    private static void filter(StringBuilder sql, List<Object> parameters, String column, Object value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            parameters.add(value);
        }
    }

    /**
     * Columns: the bucket, every dimension in {@link Dimension} order, then the sums.
     */
    private static UsageReport.Row row(ResultSet row, int index) throws SQLException {
        Timestamp start = row.getTimestamp(1);
        long prompt = row.getLong(12);
        long completion = row.getLong(13);
        String source = row.getString(6);
        BigDecimal energy = zeroIfNull(row.getBigDecimal(14));
        return new UsageReport.Row(start == null ? null : start.toInstant(), row.getObject(2, UUID.class),
                row.getObject(3, UUID.class), row.getString(4), row.getString(5), source, row.getLong(11), prompt,
                completion, prompt + completion, energy, zeroIfNull(row.getBigDecimal(15)), null,
                EnergySource.NONE.name().equals(source) ? prompt + completion : 0, row.getString(7),
                zeroIfNull(row.getBigDecimal(16)), row.getLong(17), row.getString(8), row.getString(9),
                row.getString(10));
    }

    /** Rows that differ only by energy source become one, with its mix of sources. */
    static List<UsageReport.Row> mixed(List<UsageReport.Row> bySource) {
        Map<List<Object>, UsageReport.Row> rows = new LinkedHashMap<>();
        for (UsageReport.Row part : bySource) {
            List<Object> key = Arrays.asList(part.start(), part.department(), part.agent(), part.model(), part.node(),
                    part.user(), part.team(), part.project(), part.deployment());
            Map<String, UsageReport.SourceShare> mix = new TreeMap<>();
            mix.put(part.energySource(), new UsageReport.SourceShare(part.totalTokens(), part.energyJoules()));
            UsageReport.Row single = new UsageReport.Row(part.start(), part.department(), part.agent(), part.model(),
                    part.node(), null, part.requests(), part.promptTokens(), part.completionTokens(),
                    part.totalTokens(), part.energyJoules(), part.acceleratorSeconds(), mix, part.tokensWithoutEnergy(),
                    part.user(), part.emissionsGramsCo2e(), part.tokensWithEmissions(), part.team(), part.project(),
                    part.deployment());
            rows.merge(key, single, UsageQueries::plus);
        }
        return new ArrayList<>(rows.values());
    }

    private static UsageReport.Row plus(UsageReport.Row a, UsageReport.Row b) {
        Map<String, UsageReport.SourceShare> mix = new TreeMap<>(a.energySources());
        b.energySources().forEach((source, share) -> mix.merge(source, share, UsageReport.SourceShare::plus));
        return new UsageReport.Row(a.start(), a.department(), a.agent(), a.model(), a.node(), null,
                a.requests() + b.requests(), a.promptTokens() + b.promptTokens(),
                a.completionTokens() + b.completionTokens(), a.totalTokens() + b.totalTokens(),
                a.energyJoules().add(b.energyJoules()), a.acceleratorSeconds().add(b.acceleratorSeconds()), mix,
                a.tokensWithoutEnergy() + b.tokensWithoutEnergy(), a.user(),
                a.emissionsGramsCo2e().add(b.emissionsGramsCo2e()), a.tokensWithEmissions() + b.tokensWithEmissions(),
                a.team(), a.project(), a.deployment());
    }

    static UsageReport.Totals totals(List<UsageReport.Row> bySource) {
        long requests = 0;
        long prompt = 0;
        long completion = 0;
        long withoutEnergy = 0;
        BigDecimal energy = BigDecimal.ZERO;
        BigDecimal seconds = BigDecimal.ZERO;
        BigDecimal emissions = BigDecimal.ZERO;
        long tokensWithEmissions = 0;
        Map<String, UsageReport.SourceShare> mix = new TreeMap<>();
        for (UsageReport.Row row : bySource) {
            emissions = emissions.add(row.emissionsGramsCo2e());
            tokensWithEmissions += row.tokensWithEmissions();
            requests += row.requests();
            prompt += row.promptTokens();
            completion += row.completionTokens();
            withoutEnergy += row.tokensWithoutEnergy();
            energy = energy.add(row.energyJoules());
            seconds = seconds.add(row.acceleratorSeconds());
            mix.merge(row.energySource(), new UsageReport.SourceShare(row.totalTokens(), row.energyJoules()),
                    UsageReport.SourceShare::plus);
        }
        return new UsageReport.Totals(requests, prompt, completion, prompt + completion, energy, seconds, mix,
                withoutEnergy, emissions, tokensWithEmissions);
    }

    /**
     * Requests and tokens of the hourly rollups for whole hours [from, to) (for
     * reconciliation).
     */
    @Transactional(readOnly = true)
    public UsageReport.Totals rolledUpBetween(Instant from, Instant to) {
        return jdbc.queryForObject("""
                SELECT COALESCE(sum(requests), 0), COALESCE(sum(prompt_tokens), 0), COALESCE(sum(completion_tokens), 0),
                    COALESCE(sum(energy_joules), 0), COALESCE(sum(accelerator_seconds), 0)
                FROM usage_hourly WHERE hour_start >= ? AND hour_start < ?""", UsageQueries::totalsRow,
                Timestamp.from(from), Timestamp.from(to));
    }

    private static UsageReport.Totals totalsRow(ResultSet row, int index) throws SQLException {
        return new UsageReport.Totals(row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(2) + row.getLong(3),
                row.getBigDecimal(4), row.getBigDecimal(5), Map.of(), 0);
    }

    private static BigDecimal zeroIfNull(BigDecimal value) {
        return value == null ? BigDecimal.ZERO : value;
    }

}
