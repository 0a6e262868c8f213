package io.tokenfactory.billing.focus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import io.tokenfactory.billing.BillingFixtures;
import io.tokenfactory.contracts.UsageMetered;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.support.events.CloudEventMessages;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

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
import tools.jackson.databind.json.JsonMapper;

/**
 * Chargeback the way FinOps teams read it, against the real broker and database: a
 * chargeback and a showback department use the platform for a month; the close gives both
 * the same statements, the showback one marked not payable and left out of the journal's
 * receivables; each statement carries the month's emissions and its heaviest end users;
 * and the month's FOCUS 1.2 export has every column of the specification with the right
 * types, its BilledCost summing to each statement's total.
 */
@ServiceIntegrationTest
class ChargebackExportsIntegrationTests {

    private static final YearMonth MONTH = YearMonth.of(2024, 9);

    /**
     * The FOCUS 1.2 columns as the specification lists them
     * (FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec, tag v1.2,
     * specification/columns/columns.mdpp), written out here apart from the code.
     */
    private static final List<String> SPEC_COLUMNS = List.of("AvailabilityZone", "BilledCost", "BillingAccountId",
            "BillingAccountName", "BillingAccountType", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
            "CapacityReservationId", "CapacityReservationStatus", "ChargeCategory", "ChargeClass", "ChargeDescription",
            "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountCategory",
            "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountQuantity", "CommitmentDiscountStatus",
            "CommitmentDiscountType", "CommitmentDiscountUnit", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
            "ContractedUnitPrice", "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost", "ListUnitPrice",
            "PricingCategory", "PricingCurrency", "PricingCurrencyContractedUnitPrice", "PricingCurrencyEffectiveCost",
            "PricingCurrencyListUnitPrice", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
            "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType", "ServiceCategory", "ServiceName",
            "ServiceSubcategory", "SkuId", "SkuMeter", "SkuPriceDetails", "SkuPriceId", "SubAccountId",
            "SubAccountName", "SubAccountType", "Tags");

    private static final Set<String> DECIMALS = Set.of("BilledCost", "CommitmentDiscountQuantity", "ConsumedQuantity",
            "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "ListCost", "ListUnitPrice",
            "PricingCurrencyContractedUnitPrice", "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice",
            "PricingQuantity");

    private static final Set<String> DATES = Set.of("BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd",
            "ChargePeriodStart");

    /** Mandatory columns the specification allows no null in. */
    private static final Set<String> NOT_NULL = Set.of("BilledCost", "BillingAccountId", "BillingCurrency",
            "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargePeriodEnd", "ChargePeriodStart",
            "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost", "ProviderName", "PublisherName",
            "ServiceCategory", "ServiceName", "ServiceSubcategory", "ChargeFrequency");

    private static final Pattern UTC = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void showbackIsShownNotChargedAndTheFocusExportAddsUpToTheStatements() throws IOException {
        HttpTestClient admin = HttpTestClient.onPort(port).asAdmin();
        BillingFixtures.ensureTariff(admin);
        String chat = BillingFixtures.model(admin, "GENERATION", "0.37", "1.11", "0");
        UUID research = BillingFixtures.department(admin, Map.of());
        UUID lab = BillingFixtures.department(admin, Map.of("billingMode", "SHOWBACK", "monthlyBudget", "50"));
        assertThat(admin.get("/api/billing/departments/" + lab).getBody().get("billingMode").asString())
            .isEqualTo("SHOWBACK");

        Map<UUID, BigDecimal> emissions = new HashMap<>();
        Map<String, Long> researchTokensByUser = new HashMap<>();
        Map<String, Long> teamTokens = new java.util.TreeMap<>();
        int records = 0;
        for (UUID department : List.of(research, lab)) {
            List<UsageMetered.Item> items = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String user = i % 7 == 0 ? null : "user-" + (i % 4);
                long prompt = 1_000L * (1 + i % 4);
                BigDecimal grams = new BigDecimal("0.125").multiply(BigDecimal.valueOf(1 + i % 3));
                Instant at = MONTH.atDay(1 + i % 28).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(i * 61L);
                Map<String, String> tags = i % 2 == 0 ? Map.of("team", "search", "project", "rag")
                        : i % 3 == 0 ? Map.of("team", "ranking") : Map.of();
                items.add(item(department, chat, at, prompt, 500, user, i % 5 == 0 ? null : grams, tags));
                if (department.equals(research)) {
                    teamTokens.merge(tags.getOrDefault("team", "(none)") + "/" + tags.getOrDefault("project", "(none)"),
                            prompt + 500, Long::sum);
                }
                if (i % 5 != 0) {
                    emissions.merge(department, grams, BigDecimal::add);
                }
                if (department.equals(research) && user != null) {
                    researchTokensByUser.merge(user, prompt + 500, Long::sum);
                }
            }
            publish(new UsageMetered(UUID.randomUUID(), Instant.now(), department, items));
            records += items.size();
        }
        int all = records;
        await().atMost(Duration.ofSeconds(30))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_charge WHERE department_id IN (?, ?)",
                    Long.class, research, lab) == all);
        assertThat(admin.post("/api/billing/periods/" + MONTH + "/close", null).getStatusCode())
            .isEqualTo(HttpStatus.OK);

        // the same statements; showback's marked not payable, both with their emissions
        JsonNode researchStatement = statementOf(admin, research);
        JsonNode labStatement = statementOf(admin, lab);
        assertThat(researchStatement.get("summary").get("payable").asBoolean()).isTrue();
        assertThat(labStatement.get("summary").get("payable").asBoolean()).isFalse();
        assertThat(labStatement.get("summary").get("billingMode").asString()).isEqualTo("SHOWBACK");
        assertThat(labStatement.get("summary").get("totalCharge").decimalValue()).isPositive();
        for (UUID department : List.of(research, lab)) {
            JsonNode statement = department.equals(research) ? researchStatement : labStatement;
            assertThat(statement.get("summary").get("totalEmissionsGrams").decimalValue())
                .isEqualByComparingTo(emissions.get(department));
            BigDecimal lines = BigDecimal.ZERO;
            for (JsonNode line : statement.get("lines")) {
                lines = lines.add(line.get("emissionsGrams").decimalValue());
            }
            assertThat(lines).isEqualByComparingTo(emissions.get(department));
        }
        // the heaviest end users by charge (all at one price: by tokens), three as
        // configured
        List<String> heaviest = researchTokensByUser.entrySet()
            .stream()
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .map(Map.Entry::getKey)
            .limit(3)
            .toList();
        assertThat(researchStatement.get("topUsers")).hasSize(3);
        assertThat(researchStatement.get("topUsers")).extracting(user -> user.get("user").asString())
            .containsExactlyElementsOf(heaviest);
        assertThat(researchStatement.get("topUsers").get(0).get("tokens").asLong())
            .isEqualTo(researchTokensByUser.get(heaviest.get(0)));
        // usage subtotals per team and project (usage without a tag last)
        Map<String, Long> teams = new java.util.TreeMap<>();
        BigDecimal teamCharges = BigDecimal.ZERO;
        for (JsonNode team : researchStatement.get("teams")) {
            teams.put(team.path("team").asString("(none)") + "/" + team.path("project").asString("(none)"),
                    team.get("tokens").asLong());
            teamCharges = teamCharges.add(team.get("charge").decimalValue());
        }
        assertThat(teams).isEqualTo(teamTokens);
        BigDecimal usageLines = BigDecimal.ZERO;
        for (JsonNode line : researchStatement.get("lines")) {
            if (line.get("kind").asString().equals("USAGE")) {
                usageLines = usageLines.add(line.get("charge").decimalValue());
            }
        }
        assertThat(teamCharges).isEqualByComparingTo(usageLines);
        String labPdf = pdfText(admin, labStatement.get("summary").get("id").asString());
        assertThat(labPdf).contains("Showback statement", "not payable", "kg CO2e", "Top users",
                "Usage by team and project");

        // the journal debits research's cost centre; showback owes nothing
        String journal = admin.getText("/api/billing/periods/" + MONTH + "/journal").getBody();
        assertThat(journal).contains(researchStatement.get("summary").get("costCentreCode").asString())
            .doesNotContain(labStatement.get("summary").get("costCentreCode").asString());

        // FOCUS: every column of the specification, typed as it says, summing to the
        // statements
        ResponseEntity<String> export = admin.getText("/api/billing/focus?period=" + MONTH);
        assertThat(export.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(export.getHeaders().getContentType().toString()).startsWith("text/csv");
        List<Map<String, String>> rows = parse(export.getBody());
        Map<String, BigDecimal> billed = new HashMap<>();
        for (Map<String, String> row : rows) {
            for (String column : SPEC_COLUMNS) {
                String value = row.get(column);
                if (NOT_NULL.contains(column)) {
                    assertThat(value).as(column).isNotEmpty();
                }
                if (value.isEmpty()) {
                    continue;
                }
                if (DECIMALS.contains(column)) {
                    assertThat(new BigDecimal(value)).as(column).isNotNull();
                }
                if (DATES.contains(column)) {
                    assertThat(value).as(column).matches(UTC);
                }
                if (column.equals("Tags") || column.equals("SkuPriceDetails")) {
                    JsonNode tags = JSON.readTree(value);
                    assertThat(tags.isObject()).as(column).isTrue();
                    tags.forEach(tag -> assertThat(tag.isValueNode()).as(column + " is flat").isTrue());
                }
            }
            assertThat(row.get("ChargeCategory")).isIn("Usage", "Purchase", "Tax", "Credit", "Adjustment");
            assertThat(row.get("ServiceCategory")).isEqualTo("AI and Machine Learning");
            assertThat(row.get("BillingPeriodStart")).isEqualTo("2024-09-01T00:00:00Z");
            assertThat(row.get("BillingPeriodEnd")).isEqualTo("2024-10-01T00:00:00Z");
            billed.merge(row.get("SubAccountId"), new BigDecimal(row.get("BilledCost")), BigDecimal::add);
            if (row.get("SubAccountId").equals(lab.toString())) {
                assertThat(row.get("x_BillingMode")).isEqualTo("Showback");
                assertThat(row.get("InvoiceId")).isEmpty();
            }
            if (row.get("SubAccountId").equals(research.toString())) {
                assertThat(row.get("x_BillingMode")).isEqualTo("Chargeback");
                assertThat(row.get("InvoiceId")).isEqualTo(researchStatement.get("summary").get("id").asString());
                JsonNode tags = JSON.readTree(row.get("Tags"));
                assertThat(tags.get("tokenfactory/energy-source").asString()).isEqualTo("RAPL");
                if (row.get("ChargeDescription").startsWith("Inference")) {
                    // the department's own tags, unprefixed, beside the platform's
                    assertThat(tags.path("team").asString("(none)")).isIn("search", "ranking", "(none)");
                }
            }
        }
        for (UUID department : List.of(research, lab)) {
            JsonNode statement = department.equals(research) ? researchStatement : labStatement;
            assertThat(billed.get(department.toString()).setScale(2, RoundingMode.HALF_EVEN))
                .isEqualByComparingTo(statement.get("summary").get("totalCharge").decimalValue());
        }

        // cost per token by team: every charged request in one of them
        JsonNode costByTeam = admin
            .get("/api/billing/cost-per-token?from=" + MONTH.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant() + "&to="
                    + MONTH.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()
                    + "&groupBy=team&department=" + research)
            .getBody();
        long costed = 0;
        for (JsonNode row : costByTeam.get("rows")) {
            costed += row.get("tokens").asLong();
        }
        assertThat(costed).isEqualTo(teamTokens.values().stream().mapToLong(Long::longValue).sum());
        assertThat(costByTeam.get("rows")).extracting(row -> row.path("team").asString("(none)"))
            .containsExactlyInAnyOrder("ranking", "search", "(none)");

        // a department reads only its own export
        HttpTestClient researchKey = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(research, "billing:read"));
        List<Map<String, String>> own = parse(researchKey.getText("/api/billing/focus?period=" + MONTH).getBody());
        assertThat(own).isNotEmpty()
            .allSatisfy(row -> assertThat(row.get("SubAccountId")).isEqualTo(research.toString()));
        assertThat(researchKey.getText("/api/billing/focus?period=" + MONTH + "&department=" + lab).getStatusCode())
            .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(admin.getText("/api/billing/focus").getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(admin.getText("/api/billing/focus?period=September").getStatusCode())
            .isEqualTo(HttpStatus.BAD_REQUEST);
    }

    private static UsageMetered.Item item(UUID department, String model, Instant at, long prompt, long completion,
            String user, BigDecimal grams, Map<String, String> tags) {
        UsageMetered.Item plain = BillingFixtures.item(department, model, at, prompt, completion, "1.5", "0.375");
        UsageRecorded u = plain.usage();
        UsageRecorded withUser = new UsageRecorded(u.eventId(), u.occurredAt(), u.requestId(), u.departmentId(),
                u.apiKeyId(), u.agentId(), u.agentRunId(), u.model(), u.backend(), u.node(), u.device(),
                u.promptTokens(), u.completionTokens(), u.outcome(), u.latencyMs(), u.timeToFirstTokenMs(),
                u.energyJoules(), u.energySource(), u.acceleratorSeconds(), u.tokensEstimated(), u.nodeClass(),
                u.energyGapSeconds(), user, null, tags);
        return new UsageMetered.Item(withUser, plain.directEnergyJoules(), plain.facilityOverheadJoules(), plain.pue(),
                null, grams);
    }

    private JsonNode statementOf(HttpTestClient admin, UUID department) {
        ResponseEntity<JsonNode> list = admin
            .get("/api/billing/statements?period=" + MONTH + "&department=" + department);
        assertThat(list.getBody()).hasSize(1);
        return admin.get("/api/billing/statements/" + list.getBody().get(0).get("id").asString()).getBody();
    }

    private String pdfText(HttpTestClient admin, String statement) throws IOException {
        byte[] pdf = RestClient.create("http://localhost:" + port)
            .get()
            .uri("/api/billing/statements/" + statement + "/pdf")
            .header("Authorization", "Bearer " + TestTokens.admin())
            .retrieve()
            .body(byte[].class);
        try (PDDocument document = Loader.loadPDF(pdf)) {
            return new PDFTextStripper().getText(document);
        }
    }

    private void publish(UsageMetered event) {
        assertThat(streamBridge.send("tokenfactory.usage-metered",
                CloudEventMessages.toMessage(event, "urn:tokenfactory:metering-service")))
            .isTrue();
    }

    /** RFC 4180, as the export writes it: quoted text, doubled quotes, CRLF rows. */
    static List<Map<String, String>> parse(String csv) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < csv.length(); i++) {
            char c = csv.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                }
                else if (c == '"') {
                    quoted = false;
                }
                else {
                    cell.append(c);
                }
            }
            else if (c == '"') {
                quoted = true;
            }
            else if (c == ',') {
                record.add(cell.toString());
                cell.setLength(0);
            }
            else if (c == '\r') {
                continue;
            }
            else if (c == '\n') {
                record.add(cell.toString());
                cell.setLength(0);
                records.add(record);
                record = new ArrayList<>();
            }
            else {
                cell.append(c);
            }
        }
        List<String> header = records.get(0);
        assertThat(header.subList(0, SPEC_COLUMNS.size())).containsExactlyElementsOf(SPEC_COLUMNS);
        assertThat(header.subList(SPEC_COLUMNS.size(), header.size())).allMatch(name -> name.startsWith("x_"));
        List<Map<String, String>> rows = new ArrayList<>();
        for (List<String> values : records.subList(1, records.size())) {
            assertThat(values).hasSameSizeAs(header);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), values.get(i));
            }
            rows.add(row);
        }
        return rows;
    }

}
