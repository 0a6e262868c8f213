package io.tokenfactory.billing.statement;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Currency;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads closed statements: the list for a month, one statement with its lines, and the
 * month's journal.
 */
@Service
public class Statements {

    /**
     * @param billingMode {@code CHARGEBACK} or {@code SHOWBACK}, as the department was
     * billed when the month closed
     * @param totalEmissionsGrams the location-based emissions of its usage (gCO2e); null
     * on statements closed before emissions were kept
     */
    public record Summary(UUID id, UUID departmentId, String departmentName, String costCentreCode, String period,
            String currency, BigDecimal monthlyBudget, BigDecimal totalCharge, BigDecimal totalCost, Instant closedAt,
            String billingMode, BigDecimal totalEmissionsGrams) {

        /** A showback statement is shown, never paid. */
        @JsonProperty("payable")
        public boolean payable() {
            return !"SHOWBACK".equals(billingMode);
        }
    }

    /**
     * A department's usage in the month for one team and project (null: usage without
     * that tag).
     */
    public record TeamSubtotal(String team, String project, long requests, long tokens, BigDecimal charge,
            BigDecimal emissionsGrams) {
    }

    /**
     * One of a department's heaviest end users in the month, where billing lists them.
     */
    public record TopUser(int rank, String user, long requests, long tokens, BigDecimal charge) {
    }

    /**
     * @param energySource where the line's kWh came from ({@code DCGM},
     * {@code ESTIMATED}, {@code NONE}, …); null on statements closed before sources were
     * kept
     * @param energyLabel the same as statements print it: {@code measured (DCGM)},
     * {@code estimated}, …
     */
    public record Line(int lineNo, String kind, String servicePeriod, String model, UUID agentId, String energySource,
            String energyLabel, long requests, long promptTokens, long completionTokens, long embeddingTokens,
            BigDecimal directKwh, BigDecimal idleKwh, BigDecimal overheadKwh, BigDecimal cost, BigDecimal charge,
            BigDecimal emissionsGrams) {
    }

    /** How a statement names an energy source. */
    public static String label(String energySource) {
        if (energySource == null) {
            return "not recorded";
        }
        try {
            return EnergySource.valueOf(energySource).label();
        }
        catch (IllegalArgumentException unknown) {
            return energySource.toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param topUsers empty unless billing lists top users
     * @param teams the usage subtotals per team and project; empty when the department
     * tags none of its keys or agents
     */
    public record Statement(Summary summary, List<Line> lines, List<TopUser> topUsers, List<TeamSubtotal> teams) {

        public Statement {
            topUsers = List.copyOf(topUsers);
            teams = List.copyOf(teams);
        }

        /** A statement that lists no users and no teams. */
        public Statement(Summary summary, List<Line> lines) {
            this(summary, lines, List.of(), List.of());
        }
    }

    private static final String SUMMARY = """
            SELECT id, department_id, department_name, cost_centre_code, period, currency, monthly_budget, total_charge,
                total_cost, closed_at, billing_mode, total_emissions_grams FROM statement""";

    private final JdbcTemplate jdbc;

    Statements(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * @param department null: every department
     */
    @Transactional(readOnly = true)
    public List<Summary> list(YearMonth period, UUID department) {
        return jdbc.query(SUMMARY + """
                 WHERE (?::text IS NULL OR period = ?) AND (?::uuid IS NULL OR department_id = ?)
                ORDER BY period DESC, department_name, department_id LIMIT 10000""", (row, i) -> summary(row),
                period == null ? null : period.toString(), period == null ? null : period.toString(), department,
                department);
    }

    @Transactional(readOnly = true)
    public Statement get(UUID id) {
        List<Summary> found = jdbc.query(SUMMARY + " WHERE id = ?", (row, i) -> summary(row), id);
        if (found.isEmpty()) {
            throw ApiProblemException.notFound("statement_not_found", "No statement with id " + id);
        }
        List<Line> lines = jdbc.query("""
                SELECT line_no, kind, service_period, model, agent_id, energy_source, requests, prompt_tokens,
                    completion_tokens, embedding_tokens, direct_kwh, idle_kwh, overhead_kwh, cost, charge,
                    emissions_grams
                FROM statement_line WHERE statement_id = ? ORDER BY line_no""",
                (row, i) -> new Line(row.getInt(1), row.getString(2), row.getString(3), row.getString(4),
                        row.getObject(5, UUID.class), row.getString(6), label(row.getString(6)), row.getLong(7),
                        row.getLong(8), row.getLong(9), row.getLong(10), row.getBigDecimal(11), row.getBigDecimal(12),
                        row.getBigDecimal(13), row.getBigDecimal(14), row.getBigDecimal(15), row.getBigDecimal(16)),
                id);
        List<TopUser> topUsers = jdbc.query(
                "SELECT rank, end_user, requests, tokens, charge FROM statement_user WHERE statement_id = ? ORDER BY rank",
                (row, i) -> new TopUser(row.getInt(1), row.getString(2), row.getLong(3), row.getLong(4),
                        row.getBigDecimal(5)),
                id);
        List<TeamSubtotal> teams = jdbc.query(
                """
                        SELECT team, project, requests, tokens, charge, emissions_grams FROM statement_team
                        WHERE statement_id = ? ORDER BY line_no""", (row, i) -> new TeamSubtotal(row.getString(1),
                        row.getString(2), row.getLong(3), row.getLong(4), row.getBigDecimal(5), row.getBigDecimal(6)),
                id);
        return new Statement(found.get(0), lines, topUsers, teams);
    }

    /**
     * Totals are shown in the currency's minor unit, as they were rounded at the close.
     */
    private static Summary summary(ResultSet row) throws SQLException {
        return new Summary(row.getObject(1, UUID.class), row.getObject(2, UUID.class), row.getString(3),
                row.getString(4), row.getString(5), row.getString(6), row.getBigDecimal(7),
                inMinorUnit(row.getBigDecimal(8), row.getString(6)),
                inMinorUnit(row.getBigDecimal(9), row.getString(6)), row.getTimestamp(10).toInstant(),
                row.getString(11), row.getBigDecimal(12));
    }

    /** In the statement's own currency, whatever the service's currency is today. */
    static BigDecimal inMinorUnit(BigDecimal amount, String currency) {
        return amount.setScale(Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits()),
                RoundingMode.HALF_EVEN);
    }

}
