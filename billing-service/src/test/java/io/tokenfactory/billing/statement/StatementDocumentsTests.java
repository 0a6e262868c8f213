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
import org.apache.pdfbox.pdmodel.PDDocument;
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
                        + "\"overhead_kwh\",\"cost\",\"charge\"",
                "1,\"USAGE\",\"2026-03\",\"llama\",,\"DCGM\",\"measured (DCGM)\",3,100,200,0,0.5,0,0.05,1,"
                        + "12.345678901234",
                "2,\"IDLE\",\"2026-03\",,,\"DCGM\",\"measured (DCGM)\",3,100,200,0,0.5,0,0.05,1,0.004321098766",
                "\"total\",,\"2026-03\",,,,,,,,,,,,9.10,12.35");
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
    void textTooLongForItsColumnIsCutWithATilde() {
        assertThat(StatementDocuments.ellipsis("llama-3", 7)).isEqualTo("llama-3");
        assertThat(StatementDocuments.ellipsis("llama-3.1", 7)).isEqualTo("llama-~");
    }

    @Test
    void thePdfPutsFortyLinesOnAPageAndTheTotalsAndBudgetOnTheLast() throws IOException {
        List<Line> lines = new ArrayList<>();
        for (int i = 1; i <= 41; i++) {
            lines.add(line(i, "USAGE", "model-" + i, "0.125"));
        }
        Statement statement = new Statement(summary("Research", "RES-1", "100", "12.35", "9.10"), lines);

        String text = pdfText(documents.pdf(statement));

        assertThat(text).contains("page 1 of 2", "page 2 of 2", "model-41", "Total charge: 12.35 EUR",
                "Platform cost: 9.10", "Budget: 100.00 EUR (12.4 % used)");
        // each line's charge shown to the cent, half-even
        assertThat(text).contains(" 0.12");
        assertThat(text.indexOf("Total charge")).isGreaterThan(text.indexOf("page 2 of 2"));
    }

    @Test
    void thePdfOfAStatementWithoutBudgetOrNameSaysSo() throws IOException {
        String text = pdfText(documents
            .pdf(new Statement(summary(null, null, null, "0.00", "0.00"), List.of(line(1, "IDLE", null, "0")))));

        assertThat(text).contains("Department: -", "Cost centre: -", "Budget: no budget", "(idle share)",
                "page 1 of 1");
    }

    private static String pdfText(byte[] pdf) throws IOException {
        try (PDDocument document = Loader.loadPDF(pdf)) {
            return new PDFTextStripper().getText(document);
        }
    }

    private static Summary summary(String name, String costCentre, String budget, String charge, String cost) {
        return new Summary(STATEMENT, DEPARTMENT, name, costCentre, "2026-03", "EUR",
                budget == null ? null : new BigDecimal(budget), new BigDecimal(charge), new BigDecimal(cost),
                Instant.parse("2026-04-04T00:00:00Z"));
    }

    private static Line line(int number, String kind, String model, String charge) {
        return new Line(number, kind, "2026-03", model, null, "DCGM", Statements.label("DCGM"), 3, 100, 200, 0,
                new BigDecimal("0.5"), BigDecimal.ZERO, new BigDecimal("0.05"), BigDecimal.ONE, new BigDecimal(charge));
    }

}
