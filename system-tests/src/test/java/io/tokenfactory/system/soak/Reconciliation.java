package io.tokenfactory.system.soak;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import io.tokenfactory.system.soak.ClientLoad.Ending;
import io.tokenfactory.system.soak.ClientLoad.Received;
import io.tokenfactory.system.soak.SoakSuite.Service;

/**
 * Sets what inference served against what metering counted and what billing charged,
 * usage event by usage event and joule by joule, straight from the three services'
 * databases (not through their APIs, which the soak also exercises); and what each client
 * received, request by request, against what was metered and billed for it. Each check
 * says what it compares, both sides, and whether they agree.
 */
final class Reconciliation {

    record Check(String name, String expected, String actual, boolean holds) {
    }

    record Usage(String requestId, long promptTokens, long completionTokens, BigDecimal joules) {
    }

    private static final BigDecimal JOULE_TOLERANCE = new BigDecimal("0.000001");

    private final SoakSuite suite;

    final List<Check> checks = new ArrayList<>();

    final Map<String, String> figures = new LinkedHashMap<>();

    private Reconciliation(SoakSuite suite) {
        this.suite = suite;
    }

    static Reconciliation of(SoakSuite suite, Collection<Received> received, Map<UUID, Usage> reportedByRemoteNode,
            String closedPeriods, String closedStatementsBefore, Instant powerCutoff) throws SQLException {
        Reconciliation reconciliation = new Reconciliation(suite);
        reconciliation.reconcile(received, reportedByRemoteNode, closedPeriods, closedStatementsBefore, powerCutoff);
        return reconciliation;
    }

    boolean holds() {
        return checks.stream().allMatch(Check::holds);
    }

    private void reconcile(Collection<Received> received, Map<UUID, Usage> reportedByRemoteNode, String closedPeriods,
            String closedStatementsBefore, Instant powerCutoff) throws SQLException {
        Map<UUID, Usage> served = usage(Service.INFERENCE, """
                SELECT usage_event_id, request_id, prompt_tokens, completion_tokens, energy_joules::numeric
                FROM inference_request""");
        figures.put("requests served by inference-service", Long.toString(served.size()));
        figures.put("requests reported by a remote node (some late, for a closed month)",
                Long.toString(reportedByRemoteNode.size()));
        served.putAll(reportedByRemoteNode);
        Map<UUID, Usage> metered = usage(Service.METERING, """
                SELECT event_id, request_id, prompt_tokens, completion_tokens, energy_joules FROM usage_record""");
        Map<UUID, Usage> billed = usage(Service.BILLING, """
                SELECT usage_event_id, NULL, prompt_tokens, completion_tokens, direct_joules FROM usage_charge""");
        figures.put("requests served (all nodes)", Long.toString(served.size()));
        figures.put("prompt + completion tokens served",
                total(served, Usage::promptTokens) + " + " + total(served, Usage::completionTokens));
        figures.put("energy of requests served (J)", joules(served).toPlainString());

        Map<String, Usage> servedByRequest = new HashMap<>();
        served.values().forEach(usage -> servedByRequest.put(usage.requestId(), usage));
        List<Received> completed = received.stream().filter(r -> r.ending() == Ending.COMPLETED).toList();
        long unconfirmed = completed.stream().filter(request -> {
            Usage usage = servedByRequest.get(request.requestId());
            return usage == null || usage.promptTokens() != request.promptTokens()
                    || usage.completionTokens() != request.completionTokens();
        }).count();
        checks.add(new Check(
                "every completion a client received is in inference's log with the tokens the client was told",
                completed.size() + " completions",
                (completed.size() - unconfirmed) + " found, " + unconfirmed + " missing or different",
                unconfirmed == 0 && !completed.isEmpty()));

        compare("served = metered", served, metered, true);
        compare("metered = billed", metered, billed, false);
        new ClientCount(received, metered, billed).addTo(checks, figures);

        Map<String, Object> rollups = row(Service.METERING, """
                SELECT (SELECT coalesce(sum(requests), 0) FROM usage_hourly) AS hourly_requests,
                    (SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) FROM usage_hourly) AS hourly_tokens,
                    (SELECT coalesce(sum(requests), 0) FROM usage_daily) AS daily_requests,
                    (SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) FROM usage_daily) AS daily_tokens""");
        long meteredTokens = total(metered, Usage::promptTokens) + total(metered, Usage::completionTokens);
        String raw = metered.size() + " requests, " + meteredTokens + " tokens";
        checks.add(new Check("metering's hourly and daily rollups = its raw usage", raw,
                "hourly " + rollups.get("hourly_requests") + " / " + rollups.get("hourly_tokens") + ", daily "
                        + rollups.get("daily_requests") + " / " + rollups.get("daily_tokens"),
                number(rollups.get("hourly_requests")) == metered.size()
                        && number(rollups.get("hourly_tokens")) == meteredTokens
                        && number(rollups.get("daily_requests")) == metered.size()
                        && number(rollups.get("daily_tokens")) == meteredTokens));

        Map<String, Object> money = row(Service.BILLING,
                """
                        SELECT (SELECT coalesce(sum(charge), 0) FROM usage_charge) AS usage_charge,
                            (SELECT coalesce(sum(charge), 0) FROM idle_charge_entry) AS idle_charge,
                            (SELECT coalesce(sum(charge), 0) FROM department_spend) AS spend,
                            (SELECT coalesce(sum(charge), 0) FROM charge_rollup) AS rollup_charge,
                            (SELECT coalesce(sum(requests), 0) FROM charge_rollup) AS rollup_requests,
                            (SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) FROM charge_rollup) AS rollup_tokens,
                            (SELECT count(*) FROM (SELECT d.department_id FROM department_spend d
                                LEFT JOIN (SELECT department_id, period, sum(charge) AS charge FROM (
                                    SELECT department_id, period, charge FROM usage_charge
                                    UNION ALL SELECT department_id, period, charge FROM idle_charge_entry) c
                                    GROUP BY department_id, period) c ON c.department_id = d.department_id AND c.period = d.period
                                WHERE d.charge <> coalesce(c.charge, 0)) off) AS departments_off""");
        BigDecimal charges = decimal(money.get("usage_charge")).add(decimal(money.get("idle_charge")));
        figures.put("charged (usage + idle energy)", decimal(money.get("usage_charge")).toPlainString() + " + "
                + decimal(money.get("idle_charge")).toPlainString());
        checks.add(new Check("no charge counted twice: each department's running spend = the sum of its charges",
                charges.toPlainString(),
                decimal(money.get("spend")).toPlainString() + " (" + money.get("departments_off")
                        + " department-months off)",
                decimal(money.get("spend")).compareTo(charges) == 0 && number(money.get("departments_off")) == 0));
        long billedTokens = total(billed, Usage::promptTokens) + total(billed, Usage::completionTokens);
        checks.add(new Check("billing's statement rollups = its charges",
                billed.size() + " requests, " + billedTokens + " tokens, " + charges.toPlainString(),
                money.get("rollup_requests") + " requests, " + money.get("rollup_tokens") + " tokens, "
                        + decimal(money.get("rollup_charge")).toPlainString(),
                number(money.get("rollup_requests")) == billed.size()
                        && number(money.get("rollup_tokens")) == billedTokens
                        && decimal(money.get("rollup_charge")).compareTo(charges) == 0));

        energy(metered, powerCutoff);

        String closedStatementsAfter = closedStatements(suite, closedPeriods);
        checks
            .add(new Check("statements closed before the soak unchanged", closedStatementsBefore, closedStatementsAfter,
                    closedStatementsBefore.equals(closedStatementsAfter) && !closedStatementsBefore.startsWith("0 ")));

        long outboxes = number(row(Service.INFERENCE, "SELECT count(*) AS n FROM event_publication").get("n"))
                + number(row(Service.METERING, "SELECT count(*) AS n FROM event_publication").get("n"))
                + number(row(Service.BILLING, "SELECT count(*) AS n FROM event_publication").get("n"));
        checks.add(new Check("no event left unsent in an outbox", "0", Long.toString(outboxes), outboxes == 0));
        // consumers park what they cannot process in their own dead-letter store
        long deadLettered = 0;
        for (Service service : List.of(Service.GATEWAY, Service.AGENTS, Service.METERING, Service.BILLING)) {
            deadLettered += number(row(service,
                    "SELECT count(*) AS n FROM dead_letter WHERE replayed_at IS NULL AND discarded_at IS NULL")
                .get("n"));
        }
        checks.add(new Check("no event dead-lettered (waiting in any service's dead-letter store)", "0",
                Long.toString(deadLettered), deadLettered == 0));
    }

    /**
     * Every usage event on the left is on the right with the same tokens and energy, and
     * nothing else is.
     */
    private void compare(String name, Map<UUID, Usage> left, Map<UUID, Usage> right, boolean joulesFromDouble) {
        Set<UUID> missing = new HashSet<>(left.keySet());
        missing.removeAll(right.keySet());
        Set<UUID> extra = new HashSet<>(right.keySet());
        extra.removeAll(left.keySet());
        long different = left.entrySet().stream().filter(entry -> right.containsKey(entry.getKey())).filter(entry -> {
            Usage a = entry.getValue();
            Usage b = right.get(entry.getKey());
            BigDecimal joules = a.joules().subtract(b.joules()).abs();
            return a.promptTokens() != b.promptTokens() || a.completionTokens() != b.completionTokens()
                    || (joulesFromDouble ? joules.compareTo(JOULE_TOLERANCE) > 0 : joules.signum() != 0);
        }).count();
        checks.add(new Check(
                name + " (usage events)", left.size() + " events", right.size() + " events: " + missing.size()
                        + " missing, " + extra.size() + " not served, " + different + " with other tokens or energy",
                missing.isEmpty() && extra.isEmpty() && different == 0));
        checks.add(new Check(name + " (tokens)",
                total(left, Usage::promptTokens) + " prompt + " + total(left, Usage::completionTokens) + " completion",
                total(right, Usage::promptTokens) + " prompt + " + total(right, Usage::completionTokens)
                        + " completion",
                total(left, Usage::promptTokens) == total(right, Usage::promptTokens)
                        && total(left, Usage::completionTokens) == total(right, Usage::completionTokens)));
    }

    /**
     * Joules: every power window inference measured (up to the cutoff) is in metering,
     * with the same energy; metering's node-hours add up to its samples and its usage;
     * idle energy of allocated hours is shared out exactly; billing charged the direct
     * energy metered and the idle energy published.
     */
    private void energy(Map<UUID, Usage> metered, Instant cutoff) throws SQLException {
        Map<UUID, BigDecimal> measured = joulesById(Service.INFERENCE,
                "SELECT event_id, energy_joules::numeric FROM power_window WHERE window_end <= ?", cutoff);
        Map<UUID, BigDecimal> sampled = joulesById(Service.METERING,
                "SELECT event_id, energy_joules FROM power_sample WHERE window_end <= ?", cutoff);
        long missing = measured.keySet().stream().filter(id -> !sampled.containsKey(id)).count();
        long different = measured.entrySet()
            .stream()
            .filter(entry -> sampled.containsKey(entry.getKey()))
            .filter(entry -> entry.getValue()
                .subtract(sampled.get(entry.getKey()))
                .abs()
                .compareTo(JOULE_TOLERANCE) > 0)
            .count();
        checks.add(new Check("every power window inference measured is in metering",
                measured.size() + " windows, " + sum(measured.values()).toPlainString() + " J",
                sampled.size() + " windows, " + sum(sampled.values()).toPlainString() + " J (" + missing + " missing, "
                        + different + " different)",
                !measured.isEmpty() && missing == 0 && different == 0 && sampled.size() == measured.size()));

        Map<String, Object> hours;
        try (Connection connection = suite.connect(Service.METERING)) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            hours = row(connection,
                    """
                            SELECT (SELECT coalesce(sum(measured_joules), 0) FROM node_hour) AS measured,
                                (SELECT coalesce(sum(busy_joules), 0) FROM node_hour) AS busy,
                                (SELECT coalesce(sum(direct_joules), 0) FROM node_hour) AS direct,
                                (SELECT coalesce(sum(idle_joules), 0) FROM node_hour) AS idle,
                                (SELECT coalesce(sum(energy_joules), 0) FROM power_sample) AS sampled,
                                (SELECT coalesce(sum(energy_joules), 0) FROM usage_record) AS used,
                                (SELECT coalesce(sum(a.idle_joules), 0) FROM idle_allocation a JOIN node_hour h USING (node, hour_start)
                                    WHERE h.version = h.allocated_version AND a.department_id IS NOT NULL) AS allocated,
                                (SELECT coalesce(sum(a.idle_joules), 0) FROM idle_allocation a JOIN node_hour h USING (node, hour_start)
                                    WHERE h.version = h.allocated_version AND a.department_id IS NULL) AS unallocated,
                                (SELECT count(*) FROM node_hour WHERE version = allocated_version) AS allocated_hours,
                                (SELECT count(*) FROM node_hour h WHERE version = allocated_version AND idle_joules <> (
                                    SELECT coalesce(sum(a.idle_joules), 0) FROM idle_allocation a
                                    WHERE a.node = h.node AND a.hour_start = h.hour_start)) AS hours_off,
                                (SELECT coalesce(sum(idle_joules), 0) FROM node_hour WHERE version <> allocated_version) AS pending,
                                (SELECT coalesce(sum(idle_joules), 0) FROM idle_publication) AS published""");
            connection.commit();
        }
        BigDecimal measuredJoules = decimal(hours.get("measured"));
        BigDecimal direct = decimal(hours.get("direct"));
        BigDecimal allocated = decimal(hours.get("allocated"));
        BigDecimal unallocated = decimal(hours.get("unallocated"));
        BigDecimal pending = decimal(hours.get("pending"));
        BigDecimal unattributed = decimal(hours.get("busy")).subtract(direct);
        checks.add(new Check("metering's node-hours = its power samples (measured) and its usage (direct)",
                decimal(hours.get("sampled")).toPlainString() + " J measured, "
                        + decimal(hours.get("used")).toPlainString() + " J direct",
                measuredJoules.toPlainString() + " J, " + direct.toPlainString() + " J",
                measuredJoules.compareTo(decimal(hours.get("sampled"))) == 0
                        && direct.compareTo(decimal(hours.get("used"))) == 0
                        && direct.compareTo(joules(metered)) == 0));
        BigDecimal accounted = direct.add(allocated).add(unallocated).add(pending).add(unattributed);
        checks.add(new Check(
                "energy conserved: direct + idle allocated + idle unallocated + idle pending + busy not "
                        + "metered as direct = measured",
                measuredJoules.toPlainString() + " J",
                direct.toPlainString() + " + " + allocated.toPlainString() + " + " + unallocated.toPlainString() + " + "
                        + pending.toPlainString() + " + " + unattributed.toPlainString() + " = "
                        + accounted.toPlainString() + " J (" + hours.get("hours_off") + " of "
                        + hours.get("allocated_hours") + " allocated node-hours off)",
                accounted.compareTo(measuredJoules) == 0 && number(hours.get("hours_off")) == 0));
        figures.put("energy measured (J)", measuredJoules.toPlainString());
        figures.put("node-hours allocated", String.valueOf(hours.get("allocated_hours")));

        Map<String, Object> billedEnergy = row(Service.BILLING, """
                SELECT (SELECT coalesce(sum(direct_joules), 0) FROM usage_charge) AS direct,
                    (SELECT coalesce(sum(idle_joules), 0) FROM idle_charge) AS idle""");
        checks.add(new Check("billing charged the energy metering metered and published",
                direct.toPlainString() + " J direct, " + decimal(hours.get("published")).toPlainString() + " J idle",
                decimal(billedEnergy.get("direct")).toPlainString() + " J, "
                        + decimal(billedEnergy.get("idle")).toPlainString() + " J",
                decimal(billedEnergy.get("direct")).compareTo(direct) == 0
                        && decimal(billedEnergy.get("idle")).compareTo(decimal(hours.get("published"))) == 0));
    }

    /** A fingerprint of every closed statement and its lines. */
    static String closedStatements(SoakSuite suite) throws SQLException {
        return closedStatements(suite, "%");
    }

    /**
     * The statements (and their lines) of the months matching {@code periods} (a LIKE
     * pattern) as a count and a digest: billing closes past months on its own as well
     * (three days after they end), which must not count as a change.
     */
    static String closedStatements(SoakSuite suite, String periods) throws SQLException {
        try (Connection connection = suite.connect(Service.BILLING)) {
            Map<String, Object> row = row(connection, """
                    SELECT count(*) AS statements, md5(coalesce(string_agg(t.text, '|' ORDER BY t.text), '')) AS digest
                    FROM (SELECT s::text AS text FROM statement s WHERE s.period LIKE '%1$s'
                        UNION ALL SELECT l::text FROM statement_line l JOIN statement s ON s.id = l.statement_id
                        WHERE s.period LIKE '%1$s') t""".formatted(periods.replace("'", "")));
            return row.get("statements") + " rows, md5 " + row.get("digest");
        }
    }

    private Map<UUID, Usage> usage(Service service, String sql) throws SQLException {
        Map<UUID, Usage> usage = new HashMap<>();
        try (Connection connection = suite.connect(service);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                usage.put(rows.getObject(1, UUID.class),
                        new Usage(rows.getString(2), rows.getLong(3), rows.getLong(4), rows.getBigDecimal(5)));
            }
        }
        return usage;
    }

    private Map<UUID, BigDecimal> joulesById(Service service, String sql, Instant cutoff) throws SQLException {
        Map<UUID, BigDecimal> joules = new HashMap<>();
        try (Connection connection = suite.connect(service); var statement = connection.prepareStatement(sql)) {
            statement.setTimestamp(1, Timestamp.from(cutoff));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    joules.put(rows.getObject(1, UUID.class), rows.getBigDecimal(2));
                }
            }
        }
        return joules;
    }

    private Map<String, Object> row(Service service, String sql) throws SQLException {
        try (Connection connection = suite.connect(service)) {
            return row(connection, sql);
        }
    }

    private static Map<String, Object> row(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                row.put(rows.getMetaData().getColumnLabel(i), rows.getObject(i));
            }
            return row;
        }
    }

    private static long total(Map<UUID, Usage> usage, Function<Usage, Long> tokens) {
        return usage.values().stream().mapToLong(tokens::apply).sum();
    }

    private static BigDecimal joules(Map<UUID, Usage> usage) {
        return sum(usage.values().stream().map(Usage::joules).toList());
    }

    private static BigDecimal sum(java.util.Collection<BigDecimal> values) {
        return values.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static long number(Object value) {
        return ((Number) value).longValue();
    }

    private static BigDecimal decimal(Object value) {
        return value instanceof BigDecimal decimal ? decimal : new BigDecimal(value.toString());
    }

}
