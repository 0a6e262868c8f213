package io.tokenfactory.billing.statement;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.tokenfactory.billing.BillingProperties;
import io.tokenfactory.billing.statement.Statements.Line;
import io.tokenfactory.billing.statement.Statements.Statement;
import io.tokenfactory.billing.statement.Statements.Summary;
import io.tokenfactory.support.csv.Csv;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.springframework.stereotype.Component;

/**
 * A statement as finance reads it: CSV (one row per line, RFC 4180, spreadsheet-safe),
 * PDF (A4, the lines and the totals, budget beside actual), and the month's
 * general-ledger journal (debit each department's cost centre, credit the platform's).
 */
@Component
public class StatementDocuments {

    private static final String ROW = "%3d %-10s %-7s %-22s %10d %10d %10.4f %-23s %12s";

    private static final String HEADER = "%3s %-10s %-7s %-22s %10s %10s %10s %-23s %12s";

    private final String platformCostCentre;

    StatementDocuments(BillingProperties properties) {
        this.platformCostCentre = properties.platformCostCentre();
    }

    public String csv(Statement statement) {
        Csv csv = new Csv();
        csv.row(List.of("line", "kind", "service_period", "model", "agent", "energy_source", "energy", "requests",
                "prompt_tokens", "completion_tokens", "embedding_tokens", "direct_kwh", "idle_kwh", "overhead_kwh",
                "cost", "charge"));
        for (Line line : statement.lines()) {
            csv.row(Arrays.asList(line.lineNo(), line.kind(), line.servicePeriod(), line.model(), line.agentId(),
                    line.energySource(), line.energyLabel(), line.requests(), line.promptTokens(),
                    line.completionTokens(), line.embeddingTokens(), line.directKwh(), line.idleKwh(),
                    line.overheadKwh(), line.cost(), line.charge()));
        }
        Summary summary = statement.summary();
        csv.row(Arrays.asList("total", null, summary.period(), null, null, null, null, null, null, null, null, null,
                null, null, summary.totalCost(), summary.totalCharge()));
        return csv.toString();
    }

    /** One balanced pair of journal rows per statement with a charge. */
    public String journal(List<Summary> statements) {
        Csv csv = new Csv();
        csv.row(List.of("period", "statement", "account", "cost_centre", "debit", "credit", "currency", "description"));
        for (Summary s : statements) {
            if (s.totalCharge().signum() == 0) {
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
        Summary summary = statement.summary();
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDType1Font regular = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
            PDType1Font mono = new PDType1Font(Standard14Fonts.FontName.COURIER);
            PDType1Font monoBold = new PDType1Font(Standard14Fonts.FontName.COURIER_BOLD);
            List<String> rows = new ArrayList<>();
            for (Line line : statement.lines()) {
                rows.add(String.format(Locale.ROOT, ROW, line.lineNo(), line.kind(), line.servicePeriod(),
                        ellipsis(line.model() == null ? "(idle share)" : line.model(), 22),
                        line.promptTokens() + line.embeddingTokens(), line.completionTokens(),
                        line.directKwh().add(line.idleKwh()).add(line.overheadKwh()), ellipsis(line.energyLabel(), 23),
                        line.charge().setScale(2, RoundingMode.HALF_EVEN).toPlainString()));
            }
            int perPage = 40;
            int pages = Math.max(1, (rows.size() + perPage - 1) / perPage);
            for (int page = 0; page < pages; page++) {
                PDPage pdPage = new PDPage(PDRectangle.A4);
                document.addPage(pdPage);
                try (PDPageContentStream content = new PDPageContentStream(document, pdPage)) {
                    float y = 800;
                    y = text(content, bold, 14, 50, y, "Token Factory - chargeback statement " + summary.period());
                    y = text(content, regular, 10, 50, y - 6, "Department: " + nullToDash(summary.departmentName())
                            + "   Cost centre: " + nullToDash(summary.costCentreCode()));
                    y = text(content, regular, 10, 50, y, "Statement " + summary.id() + "   closed "
                            + summary.closedAt() + "   page " + (page + 1) + " of " + pages);
                    y = text(content, monoBold, 7, 50, y - 8, String.format(Locale.ROOT, HEADER, "#", "Kind", "Month",
                            "Model", "In tokens", "Out tokens", "kWh", "Energy", "Charge " + summary.currency()));
                    for (String row : rows.subList(page * perPage, Math.min(rows.size(), (page + 1) * perPage))) {
                        y = text(content, mono, 7, 50, y, row);
                    }
                    if (page == pages - 1) {
                        y = text(content, bold, 10, 50, y - 10,
                                "Total charge: " + summary.totalCharge().toPlainString() + " " + summary.currency()
                                        + "   Platform cost: " + summary.totalCost().toPlainString());
                        String budget = summary.monthlyBudget() == null ? "no budget"
                                : summary.monthlyBudget().setScale(2, RoundingMode.HALF_EVEN).toPlainString() + " "
                                        + summary.currency() + " ("
                                        + percentOf(summary.totalCharge(), summary.monthlyBudget()) + " used)";
                        y = text(content, regular, 10, 50, y, "Budget: " + budget
                                + "   Amounts are rounded half-even to the currency's minor unit on totals only.");
                        y = text(content, regular, 8, 50, y - 4, "Energy: 'measured' kWh were read from the named "
                                + "counters (NVML, DCGM, Kepler, RAPL); 'integrated power' from a power gauge;");
                        text(content, regular, 8, 50, y, "'estimated' kWh were modelled from CPU time, not measured; "
                                + "'no energy measured' lines have tokens without any kWh figure.");
                    }
                }
            }
            document.save(out);
            return out.toByteArray();
        }
        catch (IOException e) {
            throw new UncheckedIOException("could not render the statement as PDF", e);
        }
    }

    private static float text(PDPageContentStream content, PDType1Font font, float size, float x, float y, String text)
            throws IOException {
        content.beginText();
        content.setFont(font, size);
        content.newLineAtOffset(x, y);
        // the standard fonts know WinAnsi only: anything else (a model's name in another
        // script) becomes '?'
        content.showText(text.replaceAll("[^\\x20-\\x7E]", "?"));
        content.endText();
        return y - size * 1.5f;
    }

    /**
     * How much of the budget the charge used, to a tenth of a percent; "-" for a budget
     * of 0.
     */
    static String percentOf(BigDecimal spent, BigDecimal budget) {
        return budget.signum() == 0 ? "-"
                : spent.multiply(BigDecimal.valueOf(100)).divide(budget, 1, RoundingMode.HALF_EVEN) + " %";
    }

    /** Text cut to a column's width, its last character '~' when cut. */
    static String ellipsis(String text, int length) {
        return text.length() <= length ? text : text.substring(0, length - 1) + "~";
    }

    private static String nullToDash(String text) {
        return text == null ? "-" : text;
    }

}
