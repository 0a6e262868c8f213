package io.tokenfactory.metering.reconciliation;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.tokenfactory.metering.MeteringProperties;
import io.tokenfactory.metering.TimeBuckets;
import io.tokenfactory.metering.reconciliation.Reconciliation.Counts;
import io.tokenfactory.metering.reconciliation.Reconciliation.Tokens;
import io.tokenfactory.metering.usage.UsageQueries;
import io.tokenfactory.metering.usage.UsageReport;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Asks inference-service what it served, billing-service what it billed and the gateway
 * what it relayed to clients in a window (each with the caller's own identity token, so
 * all check the same administrator) and sets them against what metering counted and
 * against one another.
 */
@Service
public class ReconciliationService {

    /** inference-service's usage summary. */
    record Served(long awaitingEnergy, List<ServedRow> rows) {
    }

    record ServedRow(UUID department, String model, long requests, long promptTokens, long completionTokens,
            BigDecimal energyJoules) {
    }

    /** billing-service's usage summary. */
    record Billed(List<BilledRow> rows, List<BilledIdle> idle) {
    }

    record BilledRow(UUID department, String model, long requests, long promptTokens, long completionTokens,
            BigDecimal energyJoules) {
    }

    record BilledIdle(UUID department, BigDecimal idleJoules) {
    }

    /** The gateway's relayed usage summary. */
    record Relayed(List<RelayedRow> rows) {
    }

    record RelayedRow(UUID department, String model, long promptTokens, long completionTokens,
            long chunkCountedRequests) {
    }

    private final UsageSummaryClient summaries;

    private final UsageQueries usage;

    private final JdbcTemplate jdbc;

    private final Clock clock;

    private final Duration relayedCountedAfter;

    private final ReconciliationGauges gauges;

    ReconciliationService(UsageSummaryClient summaries, UsageQueries usage, JdbcTemplate jdbc, Clock clock,
            MeteringProperties properties, ReconciliationGauges gauges) {
        this.summaries = summaries;
        this.usage = usage;
        this.jdbc = jdbc;
        this.clock = clock;
        this.relayedCountedAfter = properties.reconciliation().relayedCountedAfter();
        this.gauges = gauges;
    }

    /**
     * Not one transaction: it would hold a database connection while the other services
     * answer.
     */
    public Reconciliation reconcile(Instant askedFrom, Instant askedTo, String authorization) {
        // whole hours, so the hourly rollups and the idle hours can be set against the
        // same window
        Instant from = TimeBuckets.floor(askedFrom, ChronoUnit.HOURS);
        Instant to = TimeBuckets.ceil(askedTo, ChronoUnit.HOURS);
        List<String> unavailable = new ArrayList<>();
        Served served = UsageSummaryClient.orNull(() -> summaries.served(from, to, authorization), unavailable);
        Billed billed = UsageSummaryClient.orNull(() -> summaries.billed(from, to, authorization), unavailable);
        Map<List<Object>, Counts[]> byGroup = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        if (served != null) {
            for (ServedRow row : served.rows()) {
                // inference sums doubles; shown to the nanojoule, as metering keeps them
                counts(byGroup, row.department(), row.model())[0] = new Counts(row.requests(), row.promptTokens(),
                        row.completionTokens(), row.energyJoules().setScale(9, RoundingMode.HALF_EVEN));
            }
        }
        jdbc.query("""
                SELECT department_id, model, count(*), sum(prompt_tokens), sum(completion_tokens), sum(energy_joules)
                FROM usage_record WHERE occurred_at >= ? AND occurred_at < ? GROUP BY department_id, model""", row -> {
            counts(byGroup, row.getObject(1, UUID.class), row.getString(2))[1] = new Counts(row.getLong(3),
                    row.getLong(4), row.getLong(5), row.getBigDecimal(6));
        }, Timestamp.from(from), Timestamp.from(to));
        if (billed != null) {
            for (BilledRow row : billed.rows()) {
                counts(byGroup, row.department(), row.model())[2] = new Counts(row.requests(), row.promptTokens(),
                        row.completionTokens(), row.energyJoules());
            }
        }
        List<Reconciliation.Row> rows = new ArrayList<>();
        Counts[] totals = { Counts.NONE, Counts.NONE, Counts.NONE };
        byGroup.forEach((key, counts) -> {
            Counts servedCounts = served == null ? null : counts[0];
            Counts billedCounts = billed == null ? null : counts[2];
            for (int i = 0; i < 3; i++) {
                totals[i] = totals[i].plus(counts[i]);
            }
            rows.add(Reconciliation.Row.of((UUID) key.get(0), (String) key.get(1), servedCounts, counts[1],
                    billedCounts));
        });
        List<Reconciliation.IdleRow> idle = idle(from, to, billed);
        Counts servedTotal = served == null ? null : totals[0];
        Counts billedTotal = billed == null ? null : totals[2];
        UsageReport.Totals rolled = usage.rolledUpBetween(from, to);
        Counts rolledUp = new Counts(rolled.requests(), rolled.promptTokens(), rolled.completionTokens(),
                rolled.energyJoules());
        Counts difference = Counts.difference(totals[1], servedTotal);
        Counts rollupDifference = Counts.difference(rolledUp, servedTotal);
        Counts billedDifference = Counts.difference(billedTotal, servedTotal);
        long awaiting = served == null ? 0 : served.awaitingEnergy();
        Reconciliation.Relayed relayed = relayed(from, to, served, authorization, unavailable);
        boolean balanced = unavailable.isEmpty() && Counts.isZero(difference) && Counts.isZero(rollupDifference)
                && Counts.isZero(billedDifference) && awaiting == 0
                && rows.stream().allMatch(Reconciliation.Row::balanced)
                && idle.stream().allMatch(Reconciliation.IdleRow::balanced) && (relayed == null || relayed.balanced());
        return new Reconciliation(from, to, servedTotal, totals[1], rolledUp, billedTotal, difference, rollupDifference,
                billedDifference, awaiting, balanced, rows, idle, relayed, unavailable);
    }

    /**
     * What clients received through the gateway against what inference served, per
     * department, over the window's hours the gateway has counted completely: those that
     * ended {@code relayed-counted-after} ago. Null while none has.
     */
    private Reconciliation.@Nullable Relayed relayed(Instant from, Instant to, @Nullable Served servedInWindow,
            String authorization, List<String> unavailable) {
        Instant counted = TimeBuckets.floor(clock.instant().minus(relayedCountedAfter), ChronoUnit.HOURS);
        Instant until = to.isAfter(counted) ? counted : to;
        if (!until.isAfter(from)) {
            return null;
        }
        Relayed relayed = UsageSummaryClient.orNull(() -> summaries.relayed(from, until, authorization), unavailable);
        Served served = until.equals(to) || servedInWindow == null ? servedInWindow
                : UsageSummaryClient.orNull(() -> summaries.served(from, until, authorization), unavailable);
        Map<UUID, Tokens[]> byDepartment = new TreeMap<>();
        Map<UUID, Long> chunkCounted = new TreeMap<>();
        if (relayed != null) {
            for (RelayedRow row : relayed.rows()) {
                Tokens[] tokens = byDepartment.computeIfAbsent(row.department(), d -> noTokens());
                tokens[0] = tokens[0].plus(new Tokens(row.promptTokens(), row.completionTokens()));
                chunkCounted.merge(row.department(), row.chunkCountedRequests(), Long::sum);
            }
        }
        if (served != null) {
            for (ServedRow row : served.rows()) {
                Tokens[] tokens = byDepartment.computeIfAbsent(row.department(), d -> noTokens());
                tokens[1] = tokens[1].plus(new Tokens(row.promptTokens(), row.completionTokens()));
            }
        }
        List<Reconciliation.RelayedRow> rows = new ArrayList<>();
        Tokens[] totals = noTokens();
        byDepartment.forEach((department, tokens) -> {
            totals[0] = totals[0].plus(tokens[0]);
            totals[1] = totals[1].plus(tokens[1]);
            rows.add(Reconciliation.RelayedRow.of(department, relayed == null ? null : tokens[0],
                    served == null ? null : tokens[1], chunkCounted.getOrDefault(department, 0L)));
        });
        Tokens relayedTotal = relayed == null ? null : totals[0];
        Tokens servedTotal = served == null ? null : totals[1];
        Reconciliation.Relayed check = new Reconciliation.Relayed(from, until, relayedTotal, servedTotal,
                Tokens.difference(relayedTotal, servedTotal),
                chunkCounted.values().stream().mapToLong(Long::longValue).sum(), relayedTotal != null
                        && servedTotal != null && rows.stream().allMatch(Reconciliation.RelayedRow::balanced),
                rows);
        gauges.relayed(check);
        return check;
    }

    private static Tokens[] noTokens() {
        return new Tokens[] { Tokens.NONE, Tokens.NONE };
    }

    private List<Reconciliation.IdleRow> idle(Instant from, Instant to, Billed billed) {
        Map<UUID, BigDecimal[]> idle = new TreeMap<>();
        jdbc.query("""
                SELECT department_id, sum(idle_joules) FROM idle_allocation
                WHERE hour_start >= ? AND hour_start < ? AND department_id IS NOT NULL GROUP BY department_id""",
                row -> {
                    idle.computeIfAbsent(row.getObject(1, UUID.class), d -> zeros())[0] = row.getBigDecimal(2);
                }, Timestamp.from(from), Timestamp.from(to));
        if (billed != null) {
            for (BilledIdle row : billed.idle()) {
                idle.computeIfAbsent(row.department(), d -> zeros())[1] = row.idleJoules();
            }
        }
        List<Reconciliation.IdleRow> rows = new ArrayList<>();
        idle.forEach((department, joules) -> rows
            .add(Reconciliation.IdleRow.of(department, joules[0], billed == null ? null : joules[1])));
        return rows;
    }

    private static Counts[] counts(Map<List<Object>, Counts[]> byGroup, UUID department, String model) {
        return byGroup.computeIfAbsent(Arrays.asList(department, model),
                key -> new Counts[] { Counts.NONE, Counts.NONE, Counts.NONE });
    }

    private static BigDecimal[] zeros() {
        return new BigDecimal[] { BigDecimal.ZERO, BigDecimal.ZERO };
    }

}
