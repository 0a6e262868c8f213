package io.tokenfactory.billing.statement;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.tokenfactory.billing.statement.Statements.Line;
import io.tokenfactory.billing.statement.Statements.Statement;
import io.tokenfactory.billing.statement.Statements.Summary;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.PDPageContentStream.AppendMode;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType0Font;

/**
 * A statement as a document one can send: A4, DejaVu Sans embedded (a subset), so names
 * and currency symbols of any European language print as written; a header with the
 * period, department and cost centre, the lines grouped into usage, idle capacity and
 * adjustments with a subtotal each, the totals, the budget, and what each energy label
 * means. Each document is rendered on its own: fonts are parsed per document.
 */
final class StatementPdf {

    private static final byte[] REGULAR = font("DejaVuSans.ttf");

    private static final byte[] BOLD = font("DejaVuSans-Bold.ttf");

    private static final float LEFT = 40;

    private static final float RIGHT = 555;

    private static final float TOP = 800;

    private static final float BOTTOM = 60;

    private static final float ROW = 7f;

    private static final DateTimeFormatter CLOSED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
        .withZone(ZoneOffset.UTC);

    /**
     * A table column: its header, its width in points and whether numbers align right.
     */
    private record Column(String header, float width, boolean right) {
    }

    private static final List<Column> COLUMNS = List.of(new Column("#", 18, false), new Column("Item", 116, false),
            new Column("Month", 38, false), new Column("Requests", 44, true), new Column("Tokens in", 48, true),
            new Column("Tokens out", 52, true), new Column("kWh", 40, true), new Column("Energy", 104, false),
            new Column("Charge", 55, true));

    private record Section(String kind, String title) {
    }

    private static final List<Section> SECTIONS = List.of(new Section("USAGE", "Usage"),
            new Section("IDLE", "Idle capacity (this department's share of the month's idle energy and capacity)"),
            new Section("ADJUSTMENT", "Adjustments (usage of earlier months, billed in this one)"));

    private final PDDocument document = new PDDocument();

    private final PDType0Font regular;

    private final PDType0Font bold;

    private final Map<PDType0Font, Map<Integer, Boolean>> printable = new HashMap<>();

    private final List<PDPage> pages = new ArrayList<>();

    private PDPageContentStream content;

    private float y;

    private StatementPdf() throws IOException {
        this.regular = PDType0Font.load(document, new java.io.ByteArrayInputStream(REGULAR));
        this.bold = PDType0Font.load(document, new java.io.ByteArrayInputStream(BOLD));
    }

    static byte[] render(Statement statement) {
        try {
            StatementPdf pdf = new StatementPdf();
            try (PDDocument document = pdf.document) {
                return pdf.write(statement);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("could not render the statement as PDF", e);
        }
    }

    private byte[] write(Statement statement) throws IOException {
        Summary summary = statement.summary();
        String currency = summary.currency();
        String symbol = symbol(currency);
        newPage();
        header(summary, symbol);
        BigDecimal totalKwh = BigDecimal.ZERO;
        for (Section section : SECTIONS) {
            List<Line> lines = statement.lines().stream().filter(line -> section.kind().equals(line.kind())).toList();
            if (lines.isEmpty()) {
                continue;
            }
            room(3 * 12 + ROW * 2);
            y -= 6;
            text(bold, 10, LEFT, section.title());
            y -= 14;
            columnHeaders(currency);
            BigDecimal charge = BigDecimal.ZERO;
            for (Line line : lines) {
                if (y - ROW * 1.6f < BOTTOM) {
                    content.close();
                    newPage();
                    text(bold, 9, LEFT, section.title() + " (continued)");
                    y -= 13;
                    columnHeaders(currency);
                }
                BigDecimal kwh = line.directKwh().add(line.idleKwh()).add(line.overheadKwh());
                totalKwh = totalKwh.add(kwh);
                charge = charge.add(line.charge());
                row(regular,
                        List.of(Integer.toString(line.lineNo()), item(line), line.servicePeriod(),
                                count(line.requests()), count(line.promptTokens() + line.embeddingTokens()),
                                count(line.completionTokens()), kwh.setScale(3, RoundingMode.HALF_EVEN).toPlainString(),
                                line.energyLabel(), money(line.charge())));
            }
            rule(0.4f);
            row(bold, List.of("", "Subtotal " + section.title().split(" ")[0].toLowerCase(Locale.ROOT), "", "", "", "",
                    "", "", money(charge)));
        }
        if (statement.lines().isEmpty()) {
            text(regular, 9, LEFT, "No usage in this period.");
            y -= 14;
        }
        totals(summary, symbol, totalKwh);
        teams(statement, symbol);
        topUsers(statement, symbol);
        content.close();
        footers(summary);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        document.save(out);
        return out.toByteArray();
    }

    private void header(Summary summary, String symbol) throws IOException {
        text(bold, 18, LEFT, summary.payable() ? "Chargeback statement" : "Showback statement");
        if (!summary.payable()) {
            rightText(bold, 9, RIGHT, y - 20, "For information: not payable");
        }
        rightText(bold, 11, RIGHT, y + 4, "Token Factory");
        rightText(regular, 8, RIGHT, y - 8, "AI platform chargeback");
        y -= 26;
        float top = y;
        labelled("Period", summary.period(), LEFT, 70);
        labelled("Department", dash(summary.departmentName()), LEFT, 70);
        labelled("Cost centre", dash(summary.costCentreCode()), LEFT, 70);
        labelled("Department id", summary.departmentId().toString(), LEFT, 70);
        float left = y;
        y = top;
        labelled("Statement", summary.id().toString(), 290, 50);
        labelled("Closed", summary.closedAt() == null ? "-" : CLOSED.format(summary.closedAt()), 290, 50);
        labelled("Currency", summary.currency() + (symbol.equals(summary.currency()) ? "" : " (" + symbol + ")"), 290,
                50);
        y = Math.min(y, left) - 6;
        rule(0.8f);
        y -= 4;
    }

    private void labelled(String label, String value, float x, float labelWidth) throws IOException {
        text(regular, 8.5f, x, label);
        text(bold, 8.5f, x + labelWidth, fit(bold, 8.5f, value, RIGHT - x - labelWidth));
        y -= 12;
    }

    private void columnHeaders(String currency) throws IOException {
        List<String> headers = new ArrayList<>(COLUMNS.stream().map(Column::header).toList());
        headers.set(headers.size() - 1, "Charge " + currency);
        row(bold, headers);
        rule(0.4f);
    }

    private void row(PDType0Font font, List<String> cells) throws IOException {
        float x = LEFT;
        for (int i = 0; i < COLUMNS.size(); i++) {
            Column column = COLUMNS.get(i);
            String text = cells.get(i) == null ? "" : cells.get(i);
            if (column.right()) {
                rightText(font, ROW, x + column.width() - 2, y, fit(font, ROW, text, column.width() - 4));
            }
            else {
                // a gap after a column of numbers, which ends at its right edge
                float gap = (i > 0 && COLUMNS.get(i - 1).right()) ? 6 : 0;
                text(font, ROW, x + gap, fit(font, ROW, text, column.width() - gap - 4));
            }
            x += column.width();
        }
        y -= ROW * 1.6f;
    }

    private void totals(Summary summary, String symbol, BigDecimal totalKwh) throws IOException {
        room(110);
        y -= 8;
        rule(0.8f);
        y -= 6;
        float labelX = 330;
        totalRow(regular, labelX, "Energy", totalKwh.setScale(3, RoundingMode.HALF_EVEN).toPlainString() + " kWh");
        if (summary.totalEmissionsGrams() != null) {
            totalRow(regular, labelX, "Emissions (location-based)",
                    summary.totalEmissionsGrams().movePointLeft(3).setScale(3, RoundingMode.HALF_EVEN).toPlainString()
                            + " kg CO2e");
        }
        totalRow(regular, labelX, "Platform cost", amount(summary.totalCost(), symbol));
        if (summary.monthlyBudget() != null) {
            totalRow(regular, labelX, "Monthly budget", amount(summary.monthlyBudget(), symbol) + " ("
                    + StatementDocuments.percentOf(summary.totalCharge(), summary.monthlyBudget()) + " used)");
        }
        y -= 2;
        totalRow(bold, labelX, summary.payable() ? "Total charge" : "Total (showback, not payable)",
                amount(summary.totalCharge(), symbol) + " " + summary.currency());
        y -= 10;
        for (String note : List.of(
                "Energy: 'measured' kWh were read from the named counters (NVML, DCGM, Kepler, RAPL); 'integrated "
                        + "power' from a power gauge; 'estimated' kWh",
                "were modelled from CPU time, not measured; 'no energy measured' lines have tokens without any kWh "
                        + "figure. Charges are kept to 12 decimal places",
                "and rounded half-even to the currency's minor unit here.")) {
            text(regular, 6.5f, LEFT, note);
            y -= 9;
        }
    }

    /** Usage subtotals per team and project, where the department tags its keys. */
    private void teams(Statement statement, String symbol) throws IOException {
        if (statement.teams().isEmpty()) {
            return;
        }
        room(30 + 13 * statement.teams().size());
        y -= 4;
        text(bold, 10, LEFT, "Usage by team and project (cost tags; idle capacity not split)");
        y -= 14;
        for (Statements.TeamSubtotal team : statement.teams()) {
            text(regular, 8.5f, LEFT, fit(regular, 8.5f, "team " + dash(team.team()), 150));
            text(regular, 8.5f, LEFT + 155, fit(regular, 8.5f, "project " + dash(team.project()), 150));
            rightText(regular, 8.5f, 380, y, count(team.requests()) + " requests");
            rightText(regular, 8.5f, 460, y, count(team.tokens()) + " tokens");
            rightText(regular, 8.5f, RIGHT, y, amount(team.charge(), symbol));
            y -= 12;
        }
    }

    /** The month's heaviest end users, where billing lists them. */
    private void topUsers(Statement statement, String symbol) throws IOException {
        if (statement.topUsers().isEmpty()) {
            return;
        }
        room(30 + 13 * statement.topUsers().size());
        y -= 4;
        text(bold, 10, LEFT, "Top users (OpenAI user field)");
        y -= 14;
        for (Statements.TopUser user : statement.topUsers()) {
            text(regular, 8.5f, LEFT, user.rank() + ".");
            text(regular, 8.5f, LEFT + 18, fit(regular, 8.5f, user.user(), 250));
            rightText(regular, 8.5f, 380, y, count(user.requests()) + " requests");
            rightText(regular, 8.5f, 460, y, count(user.tokens()) + " tokens");
            rightText(regular, 8.5f, RIGHT, y, amount(user.charge(), symbol));
            y -= 12;
        }
    }

    private void totalRow(PDType0Font font, float x, String label, String value) throws IOException {
        text(font, 9, x, label);
        rightText(font, 9, RIGHT, y, value);
        y -= 13;
    }

    private void footers(Summary summary) throws IOException {
        for (int i = 0; i < pages.size(); i++) {
            try (PDPageContentStream footer = new PDPageContentStream(document, pages.get(i), AppendMode.APPEND,
                    true)) {
                content = footer;
                text(regular, 7, LEFT, 34, "Statement " + summary.id() + " · " + dash(summary.departmentName()) + " · "
                        + summary.period());
                rightText(regular, 7, RIGHT, 34, "page " + (i + 1) + " of " + pages.size());
            }
        }
    }

    private void newPage() throws IOException {
        PDPage page = new PDPage(PDRectangle.A4);
        document.addPage(page);
        pages.add(page);
        content = new PDPageContentStream(document, page);
        y = TOP;
    }

    /** A new page unless {@code height} points are left above the bottom margin. */
    private void room(float height) throws IOException {
        if (y - height < BOTTOM) {
            content.close();
            newPage();
        }
    }

    private void rule(float width) throws IOException {
        content.setLineWidth(width);
        content.moveTo(LEFT, y + ROW);
        content.lineTo(RIGHT, y + ROW);
        content.stroke();
        y -= 3;
    }

    private void text(PDType0Font font, float size, float x, String text) throws IOException {
        text(font, size, x, y, text);
    }

    private void text(PDType0Font font, float size, float x, float atY, String text) throws IOException {
        content.beginText();
        content.setFont(font, size);
        content.newLineAtOffset(x, atY);
        content.showText(printable(font, text));
        content.endText();
    }

    private void rightText(PDType0Font font, float size, float right, float atY, String text) throws IOException {
        String shown = printable(font, text);
        text(font, size, right - width(font, size, shown), atY, shown);
    }

    /** Text cut to a width in points, its last character '…' when cut. */
    private String fit(PDType0Font font, float size, String text, float width) throws IOException {
        String shown = printable(font, text);
        if (width(font, size, shown) <= width) {
            return shown;
        }
        int end = shown.length();
        while (end > 0 && width(font, size, shown.substring(0, end) + "…") > width) {
            end = shown.offsetByCodePoints(end, -1);
        }
        return shown.substring(0, end) + "…";
    }

    private float width(PDType0Font font, float size, String text) throws IOException {
        return font.getStringWidth(printable(font, text)) / 1000 * size;
    }

    /** The text with each character the font has no glyph for shown as '?'. */
    private String printable(PDType0Font font, String text) {
        Map<Integer, Boolean> known = printable.computeIfAbsent(font, f -> new HashMap<>());
        StringBuilder shown = new StringBuilder(text.length());
        text.codePoints().forEach(codePoint -> {
            boolean has = known.computeIfAbsent(codePoint, cp -> {
                try {
                    font.encode(new String(Character.toChars(cp)));
                    return !Character.isISOControl(cp);
                }
                catch (IllegalArgumentException | IOException missing) {
                    return false;
                }
            });
            shown.appendCodePoint(has ? codePoint : '?');
        });
        return shown.toString();
    }

    private static String item(Line line) {
        String model = line.model() == null ? "Idle capacity share" : line.model();
        return line.agentId() == null ? model : model + " · agent " + line.agentId().toString().substring(0, 8);
    }

    private static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    private static String money(BigDecimal value) {
        return value.setScale(2, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String amount(BigDecimal value, String symbol) {
        return symbol + " " + money(value);
    }

    /** The currency's symbol as English-speaking Europe writes it: €, £, CHF … */
    static String symbol(String currency) {
        try {
            return Currency.getInstance(currency).getSymbol(Locale.UK);
        }
        catch (IllegalArgumentException unknown) {
            return currency;
        }
    }

    private static String dash(String text) {
        return text == null || text.isBlank() ? "-" : text;
    }

    private static byte[] font(String name) {
        try (InputStream in = StatementPdf.class.getResourceAsStream("/fonts/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the font " + name + " is missing from the classpath");
            }
            return in.readAllBytes();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
