package io.tokenfactory.billing.statement;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.billing.BillingFixtures;
import io.tokenfactory.billing.statement.Statements.Line;
import io.tokenfactory.billing.statement.Statements.Statement;
import io.tokenfactory.billing.statement.Statements.Summary;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;

/**
 * A closed statement as finance reads it: CSV lines and totals, the journal's balanced
 * rows, and the PDF.
 */
class StatementDocumentsTests {

    private static final UUID DEPARTMENT = UUID.fromString("00000000-0000-0000-0000-00000000d001");

    private static final UUID STATEMENT = UUID.fromString("00000000-0000-0000-0000-000000005001");

    private final StatementDocuments documents = new StatementDocuments(BillingFixtures.properties("EUR", "UTC"));

    @Test
    void theCsvHasOneRowPerLineAndATotalRow() {
        String csv = documents.csv(new Statement(summary("Research", "RES-1", "100", "12.35", "9.10"),
                List.of(line(1, "USAGE", "llama", "12.345678901234"), line(2, "IDLE", null, "0.004321098766"))));

        assertThat(csv.split("\r\n")).containsExactly(
                "\"line\",\"kind\",\"service_period\",\"model\",\"agent\",\"energy_source\",\"energy\",\"requests\","
                        + "\"prompt_tokens\",\"completion_tokens\",\"embedding_tokens\",\"direct_kwh\",\"idle_kwh\","
                        + "\"overhead_kwh\",\"cost\",\"charge\",\"emissions_gco2e\"",
                "1,\"USAGE\",\"2026-03\",\"llama\",,\"DCGM\",\"measured (DCGM)\",3,100,200,0,0.5,0,0.05,1,"
                        + "12.345678901234,6.25",
                "2,\"IDLE\",\"2026-03\",,,\"DCGM\",\"measured (DCGM)\",3,100,200,0,0.5,0,0.05,1,0.004321098766,6.25",
                "\"total\",,\"2026-03\",,,,,,,,,,,,9.10,12.35,12.5");
    }

    @Test
    void aShowbackStatementSaysItIsNotPayableAndOwesNothingInTheJournal() {
        Summary showback = showback(summary("Lab", "LAB-1", null, "7.00", "5.00"));
        String csv = documents.csv(new Statement(showback, List.of(line(1, "USAGE", "llama", "7"))));
        assertThat(csv).contains("\"total (showback, not payable)\"");

        String journal = documents.journal(List.of(showback, summary("Research", "RES-1", null, "1.00", "0.50")));
        assertThat(journal).doesNotContain("LAB-1").contains("RES-1");
    }

    @Test
    void theJournalDebitsEachCostCentreAndCreditsThePlatformByTheSameAmount() {
        String journal = documents.journal(List.of(summary("Research", "RES-1", null, "12.35", "9.10"),
                summary(null, null, null, "0.00", "0.00"), summary(null, null, null, "1.00", "0.50")));

        assertThat(journal.split("\r\n")).containsExactly(
                "\"period\",\"statement\",\"account\",\"cost_centre\",\"debit\",\"credit\",\"currency\","
                        + "\"description\"",
                "\"2026-03\",\"" + STATEMENT + "\",\"AI-CHARGEBACK\",\"RES-1\",12.35,,\"EUR\","
                        + "\"AI platform chargeback 2026-03 Research\"",
                "\"2026-03\",\"" + STATEMENT + "\",\"AI-CHARGEBACK\",\"AI-PLATFORM\",,12.35,\"EUR\","
                        + "\"AI platform chargeback 2026-03 Research\"",
                // a statement without a charge has no rows; one of a department since
                // deleted names it by its id
                "\"2026-03\",\"" + STATEMENT + "\",\"AI-CHARGEBACK\",\"" + DEPARTMENT + "\",1.00,,\"EUR\","
                        + "\"AI platform chargeback 2026-03 " + DEPARTMENT + "\"",
                "\"2026-03\",\"" + STATEMENT + "\",\"AI-CHARGEBACK\",\"AI-PLATFORM\",,1.00,\"EUR\","
                        + "\"AI platform chargeback 2026-03 " + DEPARTMENT + "\"");
    }

    @Test
    void theBudgetShowsHowMuchOfItWasUsedToATenthOfAPercent() {
        assertThat(StatementDocuments.percentOf(new BigDecimal("12.35"), new BigDecimal("100"))).isEqualTo("12.4 %");
        assertThat(StatementDocuments.percentOf(new BigDecimal("12.25"), new BigDecimal("100"))).isEqualTo("12.2 %");
        assertThat(StatementDocuments.percentOf(new BigDecimal("150"), new BigDecimal("100"))).isEqualTo("150.0 %");
        assertThat(StatementDocuments.percentOf(new BigDecimal("1"), BigDecimal.ZERO)).isEqualTo("-");
    }

    @Test
    void thePdfPrintsNamesAndCurrencySymbolsOfAnyEuropeanLanguageAsWritten() throws IOException {
        Statement statement = new Statement(summary("Zürich – Café Ölund €", "KST-Łódź-Ærø", "1000", "12.35", "9.10"),
                List.of(line(1, "USAGE", "modèle-ßeta", "12.35")));

        byte[] pdf = documents.pdf(statement);
        String text = pdfText(pdf);

        assertThat(text).contains("Zürich – Café Ölund €", "KST-Łódź-Ærø", "modèle-ßeta", "€ 12.35 EUR", "EUR (€)");
        assertThat(text).doesNotContain("?");
        try (PDDocument document = Loader.loadPDF(pdf)) {
            PDResources resources = document.getPage(0).getResources();
            for (COSName name : resources.getFontNames()) {
                PDFont font = resources.getFont(name);
                // embedded, so every reader shows the same glyphs
                assertThat(font.getName()).contains("DejaVuSans");
                assertThat(font.isEmbedded()).isTrue();
            }
        }
    }

    @Test
    void aCharacterTheFontLacksIsShownAsAQuestionMarkNotAnError() throws IOException {
        String text = pdfText(documents.pdf(new Statement(summary("研究 Research", "R-1", null, "1.00", "0.50"),
                List.of(line(1, "USAGE", "llama", "1.00")))));

        assertThat(text).contains("?? Research");
    }

    @Test
    void thePdfGroupsLinesIntoUsageIdleCapacityAndAdjustmentsEachWithASubtotal() throws IOException {
        Statement statement = new Statement(summary("Research", "RES-1", "100", "12.35", "9.10"),
                List.of(line(1, "USAGE", "llama", "10.00"), line(2, "USAGE", "mistral", "1.25"),
                        line(3, "IDLE", null, "0.60"), line(4, "ADJUSTMENT", "llama", "0.50")));

        String text = pdfText(documents.pdf(statement));

        assertThat(text).containsSubsequence("Chargeback statement", "Period 2026-03", "Department Research",
                "Cost centre RES-1", "Usage", "llama", "mistral", "Subtotal usage 11.25", "Idle capacity",
                "Idle capacity share", "Subtotal idle 0.60", "Adjustments", "Subtotal adjustments 0.50",
                "Energy 2.200 kWh", "Platform cost € 9.10", "Monthly budget € 100.00 (12.4 % used)",
                "Total charge € 12.35 EUR");
        assertThat(text).contains("measured (DCGM)");
    }

    @Test
    void aLongStatementRunsOnToMorePagesWithItsColumnsRepeatedAndTheTotalsOnTheLast() throws IOException {
        List<Line> lines = new ArrayList<>();
        for (int i = 1; i <= 80; i++) {
            lines.add(line(i, "USAGE", "model-" + i, "0.125"));
        }
        Statement statement = new Statement(summary("Research", "RES-1", "100", "12.35", "9.10"), lines);

        String text = pdfText(documents.pdf(statement));

        assertThat(text).contains("page 1 of 2", "page 2 of 2", "model-80", "Usage (continued)");
        // each line's charge shown to the cent, half-even
        assertThat(text).contains(" 0.12");
        assertThat(text.indexOf("Total charge")).isGreaterThan(text.indexOf("model-80"));
    }

    @Test
    void thePdfOfAStatementWithoutBudgetOrNameSaysSo() throws IOException {
        String text = pdfText(documents
            .pdf(new Statement(summary(null, null, null, "0.00", "0.00"), List.of(line(1, "IDLE", null, "0")))));

        assertThat(text).contains("Department -", "Cost centre -", "Idle capacity share", "page 1 of 1")
            .doesNotContain("Monthly budget");
    }

    private static String pdfText(byte[] pdf) throws IOException {
        try (PDDocument document = Loader.loadPDF(pdf)) {
            return new PDFTextStripper().getText(document);
        }
    }

    private static Summary summary(String name, String costCentre, String budget, String charge, String cost) {
        return new Summary(STATEMENT, DEPARTMENT, name, costCentre, "2026-03", "EUR",
                budget == null ? null : new BigDecimal(budget), new BigDecimal(charge), new BigDecimal(cost),
                Instant.parse("2026-04-04T00:00:00Z"), "CHARGEBACK", new BigDecimal("12.5"));
    }

    private static Summary showback(Summary s) {
        return new Summary(s.id(), s.departmentId(), s.departmentName(), s.costCentreCode(), s.period(), s.currency(),
                s.monthlyBudget(), s.totalCharge(), s.totalCost(), s.closedAt(), "SHOWBACK", s.totalEmissionsGrams());
    }

    private static Line line(int number, String kind, String model, String charge) {
        return new Line(number, kind, "2026-03", model, null, "DCGM", Statements.label("DCGM"), 3, 100, 200, 0,
                new BigDecimal("0.5"), BigDecimal.ZERO, new BigDecimal("0.05"), BigDecimal.ONE, new BigDecimal(charge),
                new BigDecimal("6.25"));
    }

}
