package io.tokenfactory.billing.statement;

import static io.tokenfactory.billing.BillingFixtures.item;
import static io.tokenfactory.billing.BillingFixtures.metered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.tokenfactory.billing.BillingFixtures;
import io.tokenfactory.contracts.UsageMetered;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.support.events.CloudEventMessages;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.StubHttpServer;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.BeforeEach;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

import tools.jackson.databind.JsonNode;

/**
 * Closing a month: one immutable statement per department whose lines add up, to the
 * cent, to the priced metered usage; late usage billed next month as an adjustment;
 * exports finance can read.
 */
@ServiceIntegrationTest
class PeriodCloseIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    JdbcTemplate jdbc;

    HttpTestClient admin;

    @BeforeEach
    void prices() {
        admin = HttpTestClient.onPort(port).asAdmin();
        BillingFixtures.ensureTariff(admin);
    }

    @Test
    void statementLinesAddUpToThePricedUsageToTheCentAndClosedStatementsNeverChange() {
        YearMonth month = YearMonth.of(2025, 1);
        String chat = BillingFixtures.model(admin, "GENERATION", "0.37", "1.11", "0");
        String embed = BillingFixtures.model(admin, "EMBEDDING", "0", "0", "0.013");
        UUID research = BillingFixtures.department(admin, Map.of("monthlyBudget", "100"));
        UUID finance = BillingFixtures.department(admin, Map.of());
        UUID agent = UUID.randomUUID();
        Random random = new Random(5);
        Map<UUID, BigDecimal> expected = new HashMap<>();
        int records = 0;
        for (UUID department : List.of(research, finance)) {
            List<UsageMetered.Item> items = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                boolean embedding = i % 5 == 0;
                Instant at = month.atDay(1 + random.nextInt(31))
                    .atStartOfDay(ZoneOffset.UTC)
                    .toInstant()
                    .plusSeconds(random.nextInt(86_400));
                UsageMetered.Item item = withAgent(item(department, embedding ? embed : chat, at, random.nextInt(5_000),
                        embedding ? 0 : random.nextInt(2_000), "1.5", "0.375"), i % 3 == 0 ? agent : null);
                items.add(item);
                // priced here independently of billing's code
                BigDecimal price = embedding
                        ? new BigDecimal("0.013").multiply(BigDecimal.valueOf(item.usage().promptTokens()))
                        : new BigDecimal("0.37").multiply(BigDecimal.valueOf(item.usage().promptTokens()))
                            .add(new BigDecimal("1.11").multiply(BigDecimal.valueOf(item.usage().completionTokens())));
                expected.merge(department, price.movePointLeft(6), BigDecimal::add);
            }
            for (int from = 0; from < items.size(); from += 50) {
                publish(metered(department, items.subList(from, from + 50)));
            }
            records += items.size();
        }
        int all = records;
        await().atMost(Duration.ofSeconds(30))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_charge WHERE department_id IN (?, ?)",
                    Long.class, research, finance) == all);

        // research's own webhook is told of its statement when the month closes
        StubHttpServer receiver = new StubHttpServer().route("POST", "/closed",
                request -> StubHttpServer.Response.of(200));
        assertThat(HttpTestClient.onPort(port)
            .withToken(TestTokens.department(research, "billing:read"))
            .post("/api/billing/webhooks",
                    Map.of("url", receiver.url() + "/closed", "eventKinds", List.of("MONTH_CLOSED")))
            .getStatusCode()).isEqualTo(HttpStatus.CREATED);

        ResponseEntity<JsonNode> closed = admin.post("/api/billing/periods/" + month + "/close", null);
        assertThat(closed.getStatusCode()).isEqualTo(HttpStatus.OK);

        try (receiver) {
            StubHttpServer.Request told = await().atMost(Duration.ofSeconds(15))
                .until(() -> receiver.requests().stream().findFirst().orElse(null), request -> request != null);
            assertThat(told.header("X-TokenFactory-Event")).isEqualTo("MONTH_CLOSED");
            assertThat(told.body())
                .contains("\"statementId\":\"" + statementOf(research, month).get("summary").get("id").asString())
                .contains("\"totalCharge\":"
                        + expected.get(research).setScale(2, RoundingMode.HALF_EVEN).toPlainString());
        }

        for (UUID department : List.of(research, finance)) {
            JsonNode statement = statementOf(department, month);
            BigDecimal lines = BigDecimal.ZERO;
            for (JsonNode line : statement.get("lines")) {
                lines = lines.add(line.get("charge").decimalValue());
            }
            assertThat(lines).isEqualByComparingTo(expected.get(department));
            assertThat(statement.get("summary").get("totalCharge").decimalValue())
                .isEqualByComparingTo(expected.get(department).setScale(2, RoundingMode.HALF_EVEN));
            // per model and per agent: chat with and without the agent, embeddings with
            // and without it
            assertThat(statement.get("lines")).hasSize(4);
        }
        assertThat(statementOf(research, month).get("summary").get("monthlyBudget").decimalValue())
            .isEqualByComparingTo("100");

        // closed means closed: again 409, changing a statement 409, and the database
        // refuses it too
        assertThat(admin.post("/api/billing/periods/" + month + "/close", null).getStatusCode())
            .isEqualTo(HttpStatus.CONFLICT);
        String id = statementOf(research, month).get("summary").get("id").asString();
        ResponseEntity<JsonNode> altered = admin.put("/api/billing/statements/" + id, Map.of("totalCharge", 0));
        assertThat(altered.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(altered.getBody().get("code").asString()).isEqualTo("statement_closed");
        assertThatThrownBy(() -> jdbc.update("UPDATE statement SET total_charge = 0 WHERE id = ?::uuid", id))
            .hasMessageContaining("immutable");
        assertThatThrownBy(() -> jdbc.update("DELETE FROM statement_line WHERE statement_id = ?::uuid", id))
            .hasMessageContaining("immutable");

        // usage of January that arrives now is billed in February as a dated adjustment;
        // January stays as it was
        BigDecimal januaryTotal = statementOf(research, month).get("summary").get("totalCharge").decimalValue();
        UsageMetered.Item late = item(research, chat,
                month.atEndOfMonth().atTime(23, 59, 59, 999_000_000).toInstant(ZoneOffset.UTC), 1_000_000, 0, "0", "0");
        publish(metered(research, List.of(late)));
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_charge WHERE usage_event_id = ?", Long.class,
                    late.usage().eventId()) == 1);
        assertThat(admin.post("/api/billing/periods/" + month.plusMonths(1) + "/close", null).getStatusCode())
            .isEqualTo(HttpStatus.OK);
        JsonNode february = statementOf(research, month.plusMonths(1));
        assertThat(february.get("lines")).singleElement().satisfies(line -> {
            assertThat(line.get("kind").asString()).isEqualTo("ADJUSTMENT");
            assertThat(line.get("servicePeriod").asString()).isEqualTo("2025-01");
            assertThat(line.get("charge").decimalValue()).isEqualByComparingTo("0.37");
        });
        assertThat(statementOf(research, month).get("summary").get("totalCharge").decimalValue())
            .isEqualByComparingTo(januaryTotal);
    }

    @Test
    void exportsCsvPdfAndABalancedJournalAndADepartmentSeesOnlyItsOwn() {
        YearMonth month = YearMonth.of(2025, 3);
        String chat = BillingFixtures.model(admin, "GENERATION", "2", "4", "0");
        UUID department = BillingFixtures.department(admin, Map.of());
        publish(metered(department, List.of(item(department, chat,
                month.atDay(10).atStartOfDay(ZoneOffset.UTC).toInstant(), 1_000_000, 500_000, "3600000", "900000"))));
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_charge WHERE department_id = ?", Long.class,
                    department) == 1);
        assertThat(admin.post("/api/billing/periods/" + month + "/close", null).getStatusCode())
            .isEqualTo(HttpStatus.OK);
        String id = statementOf(department, month).get("summary").get("id").asString();
        HttpTestClient own = HttpTestClient.onPort(port).withToken(TestTokens.department(department, "billing:read"));

        ResponseEntity<String> csv = own.getText("/api/billing/statements/" + id + "/csv");
        assertThat(csv.getStatusCode()).isEqualTo(HttpStatus.OK);
        String[] csvRows = csv.getBody().split("\r\n");
        assertThat(csvRows).hasSize(3);
        // every line says where its kWh came from, as finance reads it
        assertThat(csvRows[0]).contains("\"energy_source\",\"energy\"");
        assertThat(csvRows[1]).contains("\"RAPL\",\"measured (RAPL)\"");
        assertThat(statementOf(department, month).get("lines").get(0).get("energyLabel").asString())
            .isEqualTo("measured (RAPL)");
        // the total row: cost 1.25 kWh × 0.25 = 0.31 (rounded), charge 2 + 2 = 4, and no
        // emissions figure (no carbon intensity covered the usage)
        assertThat(csvRows[2]).startsWith("\"total\"").endsWith(",0.31,4.00,");

        byte[] pdf = RestClient.create("http://localhost:" + port)
            .get()
            .uri("/api/billing/statements/" + id + "/pdf")
            .header("Authorization", "Bearer " + TestTokens.department(department, "billing:read"))
            .retrieve()
            .body(byte[].class);
        assertThat(new String(pdf, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        assertThat(pdf.length).isGreaterThan(1000);
        try (PDDocument document = Loader.loadPDF(pdf)) {
            assertThat(new PDFTextStripper().getText(document)).contains("measured (RAPL)").contains("Energy");
        }
        catch (java.io.IOException e) {
            throw new AssertionError(e);
        }

        ResponseEntity<String> journal = admin.getText("/api/billing/periods/" + month + "/journal");
        List<String> rows = List.of(journal.getBody().split("\r\n"));
        assertThat(rows).anyMatch(row -> row.contains(id) && row.contains(",4.00,,"))
            .anyMatch(row -> row.contains(id) && row.contains("\"AI-PLATFORM\",,4.00,"));

        ResponseEntity<JsonNode> other = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(UUID.randomUUID(), "billing:read"))
            .get("/api/billing/statements/" + id);
        assertThat(other.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        ResponseEntity<JsonNode> listed = own.get("/api/billing/statements?period=" + month);
        assertThat(listed.getBody()).singleElement().satisfies(s -> assertThat(s.get("id").asString()).isEqualTo(id));
        assertThat(HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "billing:read"))
            .post("/api/billing/periods/2025-04/close", null)
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        ResponseEntity<JsonNode> current = admin
            .post("/api/billing/periods/" + YearMonth.now(ZoneOffset.UTC) + "/close", null);
        assertThat(current.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(current.getBody().get("code").asString()).isEqualTo("period_not_over");
        assertThat(admin.post("/api/billing/periods/March/close", null).getStatusCode())
            .isEqualTo(HttpStatus.BAD_REQUEST);
    }

    private JsonNode statementOf(UUID department, YearMonth month) {
        ResponseEntity<JsonNode> list = admin
            .get("/api/billing/statements?period=" + month + "&department=" + department);
        assertThat(list.getBody()).hasSize(1);
        return admin.get("/api/billing/statements/" + list.getBody().get(0).get("id").asString()).getBody();
    }

    private void publish(UsageMetered event) {
        assertThat(streamBridge.send("tokenfactory.usage-metered",
                CloudEventMessages.toMessage(event, "urn:tokenfactory:metering-service")))
            .isTrue();
    }

    private static UsageMetered.Item withAgent(UsageMetered.Item item, UUID agent) {
        UsageRecorded u = item.usage();
        return new UsageMetered.Item(
                new UsageRecorded(u.eventId(), u.occurredAt(), u.requestId(), u.departmentId(), u.apiKeyId(), agent,
                        null, u.model(), u.backend(), u.node(), u.device(), u.promptTokens(), u.completionTokens(),
                        u.outcome(), u.latencyMs(), u.timeToFirstTokenMs(), u.energyJoules(), u.energySource(),
                        u.acceleratorSeconds(), u.tokensEstimated(), u.nodeClass(), u.energyGapSeconds()),
                item.directEnergyJoules(), item.facilityOverheadJoules(), item.pue());
    }

}
