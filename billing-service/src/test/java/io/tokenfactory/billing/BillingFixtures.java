package io.tokenfactory.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageMetered;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.support.events.ConsumerSettings;
import io.tokenfactory.support.events.OutboxSettings;
import io.tokenfactory.testsupport.HttpTestClient;

import org.springframework.http.HttpStatus;

/** Prices and metered usage for billing's tests. */
public final class BillingFixtures {

    /**
     * The one energy tariff of the test database: 0.25 per kWh since 2000, set before
     * anything is charged.
     */
    public static final BigDecimal TARIFF = new BigDecimal("0.25");

    private static boolean tariffSet;

    private BillingFixtures() {
    }

    /**
     * billing-service's settings with the given currency and billing time zone, the rest
     * as configured by default.
     */
    public static BillingProperties properties(String currency, String billingTimeZone) {
        OutboxSettings outbox = new OutboxSettings(Duration.ofSeconds(10), Duration.ofSeconds(15),
                Duration.ofSeconds(30), Duration.ofDays(30), List.of(), 200);
        return new BillingProperties(currency, ZoneId.of(billingTimeZone), outbox, Duration.ofDays(3), "AI-PLATFORM",
                new ConsumerSettings(3, Duration.ofMillis(500), Duration.ofSeconds(30)),
                new BillingProperties.Webhooks(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5), 8,
                        8, List.of(Duration.ofSeconds(10)), Duration.ofDays(30)),
                new BillingProperties.Statements(0));
    }

    public static synchronized void ensureTariff(HttpTestClient admin) {
        if (!tariffSet) {
            var response = admin.post("/api/billing/energy-tariffs",
                    Map.of("effectiveFrom", "2000-01-01T00:00:00Z", "pricePerKwh", TARIFF));
            assertThat(response.getStatusCode()).isIn(HttpStatus.CREATED, HttpStatus.CONFLICT);
            tariffSet = true;
        }
    }

    /**
     * A new model with one rate card from 2000 on: prices per million prompt and
     * completion tokens.
     */
    public static String model(HttpTestClient admin, String task, String prompt, String completion, String embedding) {
        String name = "model-" + UUID.randomUUID();
        assertThat(admin.post("/api/billing/models", Map.of("name", name, "task", task)).getStatusCode())
            .isEqualTo(HttpStatus.CREATED);
        assertThat(
                admin
                    .post("/api/billing/rate-cards",
                            Map.of("model", name, "effectiveFrom", "2000-01-01T00:00:00Z", "promptPerMillion", prompt,
                                    "completionPerMillion", completion, "embeddingPerMillion", embedding))
                    .getStatusCode())
            .isEqualTo(HttpStatus.CREATED);
        return name;
    }

    public static UUID department(HttpTestClient admin, Map<String, Object> policy) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> body = new java.util.HashMap<>(policy);
        body.put("name", "Dept " + suffix);
        body.put("costCentreCode", "CC-" + suffix);
        var created = admin.post("/api/billing/departments", body);
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        return UUID.fromString(created.getBody().get("id").asString());
    }

    public static UsageMetered.Item item(UUID department, String model, Instant at, long prompt, long completion,
            String directJoules, String overheadJoules) {
        UsageRecorded usage = new UsageRecorded(UUID.randomUUID(), at, "req-" + UUID.randomUUID(), department,
                UUID.randomUUID(), null, null, model, "djl", "node-a", "cpu0", prompt, completion,
                UsageOutcome.COMPLETED, 500, 50, new BigDecimal(directJoules).doubleValue(), EnergySource.RAPL, 0.5,
                false, null, 0.0);
        return new UsageMetered.Item(usage, new BigDecimal(directJoules), new BigDecimal(overheadJoules),
                new BigDecimal("1.25"));
    }

    public static UsageMetered metered(UUID department, List<UsageMetered.Item> items) {
        return new UsageMetered(UUID.randomUUID(), Instant.now(), department, items);
    }

}
