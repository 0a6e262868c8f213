package io.tokenfactory.billing.statement;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.List;

import io.tokenfactory.billing.BillingProperties;
import io.tokenfactory.billing.statement.Statements.Line;
import io.tokenfactory.billing.statement.Statements.Statement;
import io.tokenfactory.billing.statement.Statements.Summary;
import io.tokenfactory.support.csv.Csv;

import org.springframework.stereotype.Component;

/**
 * A statement as finance reads it: CSV (one row per line, RFC 4180, spreadsheet-safe),
 * PDF ({@link StatementPdf}), and the month's general-ledger journal (debit each
 * department's cost centre, credit the platform's).
 */
@Component
public class StatementDocuments {

    private final String platformCostCentre;

    StatementDocuments(BillingProperties properties) {
        this.platformCostCentre = properties.platformCostCentre();
    }

    public String csv(Statement statement) {
        Csv csv = new Csv();
        csv.row(List.of("line", "kind", "service_period", "model", "agent", "energy_source", "energy", "requests",
                "prompt_tokens", "completion_tokens", "embedding_tokens", "direct_kwh", "idle_kwh", "overhead_kwh",
                "cost", "charge", "emissions_gco2e"));
        for (Line line : statement.lines()) {
            csv.row(Arrays.asList(line.lineNo(), line.kind(), line.servicePeriod(), line.model(), line.agentId(),
                    line.energySource(), line.energyLabel(), line.requests(), line.promptTokens(),
                    line.completionTokens(), line.embeddingTokens(), line.directKwh(), line.idleKwh(),
                    line.overheadKwh(), line.cost(), line.charge(), line.emissionsGrams()));
        }
        Summary summary = statement.summary();
        csv.row(Arrays.asList(summary.payable() ? "total" : "total (showback, not payable)", null, summary.period(),
                null, null, null, null, null, null, null, null, null, null, null, summary.totalCost(),
                summary.totalCharge(), summary.totalEmissionsGrams()));
        return csv.toString();
    }

    /**
     * One balanced pair of journal rows per payable statement with a charge: a showback
     * department owes nothing, so it has no receivable.
     */
    public String journal(List<Summary> statements) {
        Csv csv = new Csv();
        csv.row(List.of("period", "statement", "account", "cost_centre", "debit", "credit", "currency", "description"));
        for (Summary s : statements) {
            if (s.totalCharge().signum() == 0 || !s.payable()) {
                continue;
            }
            String description = "AI platform chargeback " + s.period() + " "
                    + (s.departmentName() == null ? s.departmentId() : s.departmentName());
            csv.row(Arrays.asList(s.period(), s.id(), "AI-CHARGEBACK",
                    s.costCentreCode() == null ? s.departmentId().toString() : s.costCentreCode(), s.totalCharge(),
                    null, s.currency(), description));
            csv.row(Arrays.asList(s.period(), s.id(), "AI-CHARGEBACK", platformCostCentre, null, s.totalCharge(),
                    s.currency(), description));
        }
        return csv.toString();
    }

    public byte[] pdf(Statement statement) {
        return StatementPdf.render(statement);
    }

    /**
     * How much of the budget the charge used, to a tenth of a percent; "-" for a budget
     * of 0.
     */
    static String percentOf(BigDecimal spent, BigDecimal budget) {
        return budget.signum() == 0 ? "-"
                : spent.multiply(BigDecimal.valueOf(100)).divide(budget, 1, RoundingMode.HALF_EVEN) + " %";
    }

}
