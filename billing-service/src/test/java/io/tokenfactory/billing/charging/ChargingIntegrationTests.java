package io.tokenfactory.billing.charging;

import static io.tokenfactory.billing.BillingFixtures.item;
import static io.tokenfactory.billing.BillingFixtures.metered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.billing.BillingFixtures;
import io.tokenfactory.contracts.BudgetStatusChanged;
import io.tokenfactory.contracts.IdleEnergyAllocated;
import io.tokenfactory.contracts.TokenFactoryEvent;
import io.tokenfactory.contracts.UsageMetered;
import io.tokenfactory.support.events.CloudEventMessages;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestDeadLetters;
import io.tokenfactory.testsupport.TestEventBroker;
import io.tokenfactory.testsupport.TestEventBroker.MessageReader;
import io.tokenfactory.testsupport.TestKafka;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Metered usage priced exactly once, at the prices in force when it happened, into the
 * right billing month, with each budget crossing announced exactly once. Runs on
 * RabbitMQ, and again on Kafka (the {@code kafka-event-flow} execution).
 */
@ServiceIntegrationTest
class ChargingIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    JsonMapper json;

    HttpTestClient admin;

    @BeforeEach
    void prices() {
        admin = HttpTestClient.onPort(port).asAdmin();
        BillingFixtures.ensureTariff(admin);
    }

    @Test
    void chargesEachUsageRecordOnceAtItsListPriceEvenWhenRedeliveredOrRegrouped() {
        String model = BillingFixtures.model(admin, "GENERATION", "0.50", "1.50", "0");
        UUID department = BillingFixtures.department(admin, Map.of());
        Instant at = Instant.now().minus(1, ChronoUnit.MINUTES);
        List<UsageMetered.Item> items = List.of(item(department, model, at, 1000, 3000, "360", "90"),
                item(department, model, at, 7, 13, "1.5", "0.375"),
                item(department, model, at, 123_456, 654_321, "9000.123456789", "2250.030864197"));
        UsageMetered batch = metered(department, items);

        publish("tokenfactory.usage-metered", batch);
        publish("tokenfactory.usage-metered", batch);
        publish("tokenfactory.usage-metered", metered(department, List.of(items.get(2), items.get(0))));
        sentinel(model);

        assertThat(charged(department)).isEqualTo(3);
        // the priced sum, worked out here independently: list price per million, energy
        // at 0.25 per kWh
        BigDecimal expectedCharge = BigDecimal.ZERO;
        BigDecimal expectedCost = BigDecimal.ZERO;
        for (UsageMetered.Item item : items) {
            expectedCharge = expectedCharge
                .add(new BigDecimal("0.50").multiply(BigDecimal.valueOf(item.usage().promptTokens()))
                    .add(new BigDecimal("1.50").multiply(BigDecimal.valueOf(item.usage().completionTokens())))
                    .divide(BigDecimal.valueOf(1_000_000)));
            expectedCost = expectedCost.add(item.directEnergyJoules()
                .add(item.facilityOverheadJoules())
                .multiply(BillingFixtures.TARIFF)
                .divide(BigDecimal.valueOf(3_600_000), 12, java.math.RoundingMode.HALF_EVEN));
        }
        BigDecimal charge = expectedCharge;
        await().atMost(Duration.ofSeconds(10)).until(() -> spend(department, "charge").compareTo(charge) == 0);
        assertThat(spend(department, "charge")).isEqualByComparingTo(expectedCharge);
        assertThat(spend(department, "cost")).isEqualByComparingTo(expectedCost);
        assertThat(jdbc.queryForObject("SELECT sum(charge) FROM usage_charge WHERE department_id = ?", BigDecimal.class,
                department))
            .isEqualByComparingTo(expectedCharge);
    }

    @Test
    void aRateChangeAppliesFromItsEffectiveDateOnlyAndMayNotRepriceChargedUsage() {
        String model = BillingFixtures.model(admin, "GENERATION", "1", "0", "0");
        Instant change = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        assertThat(admin
            .post("/api/billing/rate-cards", Map.of("model", model, "effectiveFrom", change.toString(),
                    "promptPerMillion", "2", "completionPerMillion", "0"))
            .getStatusCode()).isEqualTo(HttpStatus.CREATED);
        UUID department = BillingFixtures.department(admin, Map.of());
        UsageMetered.Item before = item(department, model, change.minusMillis(1), 1_000_000, 0, "0", "0");
        UsageMetered.Item after = item(department, model, change, 1_000_000, 0, "0", "0");

        publish("tokenfactory.usage-metered", metered(department, List.of(before, after)));

        await().atMost(Duration.ofSeconds(20)).until(() -> charged(department) == 2);
        assertThat(chargeOf(before)).isEqualByComparingTo("1");
        assertThat(chargeOf(after)).isEqualByComparingTo("2");
        ResponseEntity<JsonNode> backdated = admin.post("/api/billing/rate-cards",
                Map.of("model", model, "effectiveFrom", change.minus(2, ChronoUnit.DAYS).toString(), "promptPerMillion",
                        "9", "completionPerMillion", "9"));
        assertThat(backdated.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(backdated.getBody().get("code").asString()).isEqualTo("reprices_the_past");
        assertThat(chargeOf(before)).isEqualByComparingTo("1");
    }

    @Test
    void embeddingTokensArePricedAsEmbeddingsAndUsageAtTheMonthsLastMillisecondStaysInThatMonth() {
        String model = BillingFixtures.model(admin, "EMBEDDING", "5", "5", "0.10");
        UUID department = BillingFixtures.department(admin, Map.of());
        Instant monthStart = YearMonth.now(ZoneOffset.UTC).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        UsageMetered.Item lastMillisecond = item(department, model, monthStart.minusMillis(1), 2_000_000, 0, "0", "0");
        UsageMetered.Item firstMillisecond = item(department, model, monthStart, 2_000_000, 0, "0", "0");

        publish("tokenfactory.usage-metered", metered(department, List.of(lastMillisecond, firstMillisecond)));

        await().atMost(Duration.ofSeconds(20)).until(() -> charged(department) == 2);
        assertThat(periodOf(lastMillisecond)).isEqualTo(YearMonth.now(ZoneOffset.UTC).minusMonths(1).toString());
        assertThat(periodOf(firstMillisecond)).isEqualTo(YearMonth.now(ZoneOffset.UTC).toString());
        assertThat(chargeOf(lastMillisecond)).isEqualByComparingTo("0.2");
    }

    @Test
    void announcesEachBudgetCrossingExactlyOnceAndOkWhenANewMonthStarts() {
        String model = BillingFixtures.model(admin, "GENERATION", "0.50", "1.50", "0");
        UUID department = BillingFixtures.department(admin,
                Map.of("monthlyBudget", "0.012", "softAlertPercent", 50, "hardCap", true));
        Instant now = Instant.now().minus(1, ChronoUnit.MINUTES);
        // each record is 0.005: OK, then WARNING at 0.010 (≥ 50 % of 0.012), then
        // EXCEEDED at 0.015
        List<UsageMetered> batches = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batches.add(metered(department, List.of(item(department, model, now, 1000, 3000, "0", "0"))));
        }
        for (int i = 0; i < 3; i++) {
            publish("tokenfactory.usage-metered", batches.get(i));
            int expected = i + 1;
            await().atMost(Duration.ofSeconds(20)).until(() -> charged(department) == expected);
        }
        publish("tokenfactory.usage-metered", batches.get(2));
        publish("tokenfactory.usage-metered", batches.get(1));
        sentinel(model);

        List<BudgetStatusChanged> announced = budgetEvents(department, 2);
        assertThat(announced).extracting(BudgetStatusChanged::state)
            .containsExactly(io.tokenfactory.contracts.BudgetState.WARNING,
                    io.tokenfactory.contracts.BudgetState.EXCEEDED);
        assertThat(announced.get(1).spent()).isEqualByComparingTo("0.02");
        assertThat(announced.get(1).hardCap()).isTrue();
        assertThat(publications(department)).isEqualTo(2);
        assertThat(spend(department, "charge")).isEqualByComparingTo("0.015");

        // a department that ended last month over budget (late usage of last month is
        // recorded, not announced: the
        // gateway acts on the latest report) is announced OK with its first usage of this
        // month
        UUID overLastMonth = BillingFixtures.department(admin, Map.of("monthlyBudget", "0.001"));
        Instant lastMonth = YearMonth.now(ZoneOffset.UTC)
            .atDay(1)
            .atStartOfDay(ZoneOffset.UTC)
            .toInstant()
            .minus(2, ChronoUnit.DAYS);
        publish("tokenfactory.usage-metered",
                metered(overLastMonth, List.of(item(overLastMonth, model, lastMonth, 1000, 3000, "0", "0"))));
        await().atMost(Duration.ofSeconds(20)).until(() -> charged(overLastMonth) == 1);
        publish("tokenfactory.usage-metered",
                metered(overLastMonth, List.of(item(overLastMonth, model, now, 1, 0, "0", "0"))));
        assertThat(budgetEvents(overLastMonth, 1)).extracting(event -> event.state() + " " + event.period())
            .containsExactly("OK " + YearMonth.now(ZoneOffset.UTC));
        assertThat(
                jdbc.queryForObject("SELECT budget_state FROM department_spend WHERE department_id = ? AND period = ?",
                        String.class, overLastMonth, YearMonth.now(ZoneOffset.UTC).minusMonths(1).toString()))
            .isEqualTo("EXCEEDED");
    }

    @Test
    void raisingTheBudgetOfABlockedDepartmentAnnouncesOkAtOnce() {
        String model = BillingFixtures.model(admin, "GENERATION", "0.50", "1.50", "0");
        UUID department = BillingFixtures.department(admin, Map.of("monthlyBudget", "0.004", "hardCap", true));
        publish("tokenfactory.usage-metered", metered(department,
                List.of(item(department, model, Instant.now().minusSeconds(30), 1000, 3000, "0", "0"))));
        await().atMost(Duration.ofSeconds(20)).until(() -> charged(department) == 1);
        String name = admin.get("/api/billing/departments/" + department).getBody().get("name").asString();
        String code = admin.get("/api/billing/departments/" + department).getBody().get("costCentreCode").asString();

        // blocked, and with a hard cap no further usage would come to re-evaluate it: the
        // budget change must
        assertThat(admin
            .put("/api/billing/departments/" + department,
                    Map.of("name", name, "costCentreCode", code, "monthlyBudget", "100", "hardCap", true))
            .getStatusCode()).isEqualTo(HttpStatus.OK);

        assertThat(budgetEvents(department, 2)).extracting(BudgetStatusChanged::state)
            .containsExactly(io.tokenfactory.contracts.BudgetState.EXCEEDED, io.tokenfactory.contracts.BudgetState.OK);
    }

    @Test
    void idleEnergyIsCostAndACostPlusDepartmentsChargeAndACorrectionReplacesIt() {
        UUID department = BillingFixtures.department(admin, Map.of("pricingMode", "COST_PLUS", "marginPercent", "20"));
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
        // 1 kWh idle + 0.25 kWh overhead at 0.25 = 0.3125 cost, + 20 % = 0.375
        publish("tokenfactory.idle-energy-allocated", new IdleEnergyAllocated(UUID.randomUUID(), Instant.now(),
                department, hour, new BigDecimal("3600000"), new BigDecimal("900000"), 1, List.of()));
        await().atMost(Duration.ofSeconds(20))
            .until(() -> spend(department, "charge").compareTo(new BigDecimal("0.375")) == 0);
        // the correction doubles it; the first revision arriving again changes nothing
        publish("tokenfactory.idle-energy-allocated", new IdleEnergyAllocated(UUID.randomUUID(), Instant.now(),
                department, hour, new BigDecimal("7200000"), new BigDecimal("1800000"), 2, List.of()));
        publish("tokenfactory.idle-energy-allocated", new IdleEnergyAllocated(UUID.randomUUID(), Instant.now(),
                department, hour, new BigDecimal("3600000"), new BigDecimal("900000"), 1, List.of()));
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM idle_charge WHERE department_id = ? AND revision = 2", Long.class,
                    department) == 1);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> spend(department, "charge").compareTo(new BigDecimal("0.75")) == 0);
        assertThat(spend(department, "cost")).isEqualByComparingTo("0.625");
    }

    @Test
    void aDepartmentReadsItsOwnSpendWithForecastAndNoOtherDepartments() {
        String model = BillingFixtures.model(admin, "GENERATION", "1000", "0", "0");
        UUID department = BillingFixtures.department(admin, Map.of("monthlyBudget", "5000"));
        publish("tokenfactory.usage-metered", metered(department,
                List.of(item(department, model, Instant.now().minusSeconds(30), 1234, 0, "0", "0"))));
        await().atMost(Duration.ofSeconds(20)).until(() -> charged(department) == 1);

        ResponseEntity<JsonNode> own = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "billing:read"))
            .get("/api/billing/departments/" + department + "/spend");
        assertThat(own.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(own.getBody().get("charge").decimalValue()).isEqualByComparingTo("1.23");
        assertThat(own.getBody().get("currency").asString()).isEqualTo("EUR");
        assertThat(own.getBody().get("monthlyBudget").decimalValue()).isEqualByComparingTo("5000");
        assertThat(own.getBody().get("forecast").decimalValue()).isGreaterThanOrEqualTo(new BigDecimal("1.23"));
        assertThat(own.getBody().get("state").asString()).isEqualTo("OK");

        ResponseEntity<JsonNode> other = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(UUID.randomUUID(), "billing:read"))
            .get("/api/billing/departments/" + department + "/spend");
        assertThat(other.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(admin.get("/api/billing/departments/" + department + "/spend?period=November").getStatusCode())
            .isEqualTo(HttpStatus.BAD_REQUEST);
    }

    @Test
    void theBudgetSnapshotGivesEachDepartmentsUnroundedSpendAndThePricesInForceToAdministratorsOnly() {
        String model = BillingFixtures.model(admin, "GENERATION", "0.50", "1.50", "0");
        UUID department = BillingFixtures.department(admin, Map.of("monthlyBudget", "0.05", "hardCap", true));
        publish("tokenfactory.usage-metered", metered(department,
                List.of(item(department, model, Instant.now().minusSeconds(30), 1001, 3, "0", "0"))));
        await().atMost(Duration.ofSeconds(20)).until(() -> charged(department) == 1);

        JsonNode snapshot = admin.get("/api/billing/budget-snapshot").getBody();
        assertThat(snapshot.get("currency").asString()).isEqualTo("EUR");
        assertThat(snapshot.get("period").asString())
            .isEqualTo(java.time.YearMonth.now(java.time.ZoneId.of(snapshot.get("timeZone").asString())).toString());
        JsonNode budget = find(snapshot.get("departments"), "departmentId", department.toString());
        assertThat(budget.get("monthlyBudget").decimalValue()).isEqualByComparingTo("0.05");
        assertThat(budget.get("hardCap").asBoolean()).isTrue();
        // 1001 × 0.50 + 3 × 1.50 per million, not rounded to cents
        assertThat(budget.get("spent").decimalValue()).isEqualByComparingTo("0.000505");
        JsonNode price = find(snapshot.get("prices"), "model", model);
        assertThat(price.get("promptPerMillion").decimalValue()).isEqualByComparingTo("0.50");
        assertThat(price.get("completionPerMillion").decimalValue()).isEqualByComparingTo("1.50");
        assertThat(price.get("embedding").asBoolean()).isFalse();

        assertThat(HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "billing:read"))
            .get("/api/billing/budget-snapshot")
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode element : array) {
            if (value.equals(element.get(field).asString())) {
                return element;
            }
        }
        throw new AssertionError("no element with " + field + " = " + value + " in " + array);
    }

    @Test
    void parksImpossibleUsageWithItsReasonChargesNothingAndTheNextMessagesFlow() {
        String model = BillingFixtures.model(admin, "GENERATION", "1", "1", "0");
        UUID department = BillingFixtures.department(admin, Map.of());
        UsageMetered negative = metered(department, List.of(item(department, model, Instant.now(), -5, 10, "1", "0")));
        publish("tokenfactory.usage-metered", negative);
        // a model without a rate card: charged at 0 it could never be repriced, so it is
        // parked until a card exists
        String unpriced = "unpriced-" + UUID.randomUUID();
        admin.post("/api/billing/models", Map.of("name", unpriced, "task", "GENERATION"));
        UsageMetered withoutCard = metered(department,
                List.of(item(department, unpriced, Instant.now(), 5, 10, "1", "0")));
        publish("tokenfactory.usage-metered", withoutCard);
        // the messages behind them flow
        UUID next = BillingFixtures.department(admin, Map.of());
        publish("tokenfactory.usage-metered", metered(next, List.of(item(next, model, Instant.now(), 3, 4, "1", "0"))));

        await().atMost(Duration.ofSeconds(30))
            .until(() -> deadLetter(negative.eventId()) != null && deadLetter(withoutCard.eventId()) != null);
        assertThat(deadLetter(negative.eventId()).path("reason").asString()).contains("negative or impossible tokens");
        assertThat(deadLetter(withoutCard.eventId()).path("reason").asString())
            .contains("no rate card for model '" + unpriced + "'");
        assertThat(deadLetter(withoutCard.eventId()).path("reasonClass").asString())
            .isEqualTo("io.tokenfactory.support.events.RejectedEventException");
        assertThat(deadLetter(withoutCard.eventId()).path("tries").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> charged(next) == 1);
        assertThat(charged(department)).isZero();
    }

    @Test
    void aDeadLetterWhoseCauseWasFixedIsChargedExactlyOnceWhenReplayedEvenTwice() {
        UUID department = BillingFixtures.department(admin, Map.of());
        String model = "unpriced-" + UUID.randomUUID();
        admin.post("/api/billing/models", Map.of("name", model, "task", "GENERATION"));
        Instant at = Instant.now().minus(1, ChronoUnit.MINUTES);
        UsageMetered usage = metered(department, List.of(item(department, model, at, 1_000, 2_000, "1", "0")));
        publish("tokenfactory.usage-metered", usage);
        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetter(usage.eventId()) != null);
        String id = deadLetter(usage.eventId()).path("id").asString();
        assertThat(admin.get("/api/dead-letters/" + id).getBody().path("body").asString())
            .contains(usage.items().get(0).usage().eventId().toString());

        // the cause fixed: a rate card in force when the usage happened
        assertThat(admin
            .post("/api/billing/rate-cards",
                    Map.of("model", model, "effectiveFrom", at.minus(1, ChronoUnit.HOURS).toString(),
                            "promptPerMillion", "3", "completionPerMillion", "5", "embeddingPerMillion", "0"))
            .getStatusCode()).isEqualTo(HttpStatus.CREATED);
        ResponseEntity<JsonNode> replayed = admin.post("/api/dead-letters/" + id + "/replay", Map.of());
        assertThat(replayed.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(replayed.getBody().path("status").asString()).isEqualTo("REPLAYED");
        await().atMost(Duration.ofSeconds(20)).until(() -> charged(department) == 1);

        // a second replay changes nothing: the usage is charged once, at the card's price
        assertThat(admin.post("/api/dead-letters/" + id + "/replay", Map.of()).getBody().path("replays").asInt())
            .isEqualTo(2);
        sentinel(BillingFixtures.model(admin, "GENERATION", "1", "1", "0"));
        assertThat(charged(department)).isEqualTo(1);
        // 1,000 × 3 + 2,000 × 5 per million
        assertThat(spend(department, "charge")).isEqualByComparingTo("0.013");
        assertThat(deadLetter(usage.eventId()).path("status").asString()).isEqualTo("REPLAYED");
        List<String> waiting = new ArrayList<>();
        admin.get("/api/dead-letters")
            .getBody()
            .path("deadLetters")
            .forEach(dead -> waiting.add(dead.path("id").asString()));
        assertThat(waiting).doesNotContain(id);
    }

    @Test
    void aDiscardedDeadLetterIsNeverReplayed() {
        UUID department = BillingFixtures.department(admin, Map.of());
        String model = BillingFixtures.model(admin, "GENERATION", "1", "1", "0");
        UsageMetered negative = metered(department, List.of(item(department, model, Instant.now(), -1, 1, "1", "0")));
        publish("tokenfactory.usage-metered", negative);
        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetter(negative.eventId()) != null);
        String id = deadLetter(negative.eventId()).path("id").asString();

        assertThat(admin.delete("/api/dead-letters/" + id).getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        ResponseEntity<JsonNode> discarded = admin.delete("/api/dead-letters/" + id + "?reason=negative-tokens");
        assertThat(discarded.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(discarded.getBody().path("status").asString()).isEqualTo("DISCARDED");
        assertThat(discarded.getBody().path("discardReason").asString()).isEqualTo("negative-tokens");
        ResponseEntity<JsonNode> replay = admin.post("/api/dead-letters/" + id + "/replay", Map.of());
        assertThat(replay.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(replay.getBody().path("code").asString()).isEqualTo("dead_letter_discarded");
        assertThat(admin.get("/api/dead-letters/" + UUID.randomUUID()).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(admin.get("/api/dead-letters?status=sideways").getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "billing:read"))
            .get("/api/dead-letters")
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    /** The dead letter this service parked for an event, or null. */
    private JsonNode deadLetter(UUID eventId) {
        return TestDeadLetters.find(admin, "/api/dead-letters", eventId.toString());
    }

    /**
     * Waits until everything published before has been handled. RabbitMQ: publishes one
     * more charge, for a department of its own, and waits for it — the consumer takes the
     * queue in order. Kafka: waits until billing's group has committed the whole topic —
     * its partitions are not ordered among themselves.
     */
    private void sentinel(String model) {
        if (TestKafka.enabled()) {
            await().atMost(Duration.ofSeconds(20))
                .until(() -> TestEventBroker.kafkaGroupCaughtUp("tokenfactory.usage-metered", "billing-service"));
            return;
        }
        UUID department = UUID.randomUUID();
        publish("tokenfactory.usage-metered",
                metered(department, List.of(item(department, model, Instant.now(), 1, 1, "0", "0"))));
        await().atMost(Duration.ofSeconds(20)).until(() -> charged(department) == 1);
    }

    private void publish(String destination, TokenFactoryEvent event) {
        assertThat(streamBridge.send(destination,
                CloudEventMessages.toMessage(event, "urn:tokenfactory:metering-service")))
            .isTrue();
    }

    private long charged(UUID department) {
        return jdbc.queryForObject("SELECT count(*) FROM usage_charge WHERE department_id = ?", Long.class, department);
    }

    private BigDecimal spend(UUID department, String column) {
        return jdbc.queryForObject(
                "SELECT COALESCE(sum(" + column + "), 0) FROM department_spend WHERE department_id = ?",
                BigDecimal.class, department);
    }

    private BigDecimal chargeOf(UsageMetered.Item item) {
        return jdbc.queryForObject("SELECT charge FROM usage_charge WHERE usage_event_id = ?", BigDecimal.class,
                item.usage().eventId());
    }

    private String periodOf(UsageMetered.Item item) {
        return jdbc.queryForObject("SELECT period FROM usage_charge WHERE usage_event_id = ?", String.class,
                item.usage().eventId());
    }

    private long publications(UUID department) {
        return jdbc.queryForObject(
                "SELECT (SELECT count(*) FROM event_publication WHERE serialized_event LIKE ?) "
                        + "+ (SELECT count(*) FROM event_publication_archive WHERE serialized_event LIKE ?)",
                Long.class, "%" + department + "%", "%" + department + "%");
    }

    /**
     * Drains the gateway's budget queue and keeps this department's reports, in order.
     */
    private List<BudgetStatusChanged> budgetEvents(UUID department, int expected) {
        List<BudgetStatusChanged> events = new ArrayList<>();
        try (MessageReader budgetReports = TestEventBroker.messages("tokenfactory.budget-status-changed", "gateway")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                budgetReports.next()
                    .map(message -> json.readValue(message.body(), BudgetStatusChanged.class))
                    .filter(event -> event.departmentId().equals(department))
                    .ifPresent(events::add);
                return events.size() >= expected;
            });
        }
        return events;
    }

}
