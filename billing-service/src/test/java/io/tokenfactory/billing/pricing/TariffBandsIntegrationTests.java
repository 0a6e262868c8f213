package io.tokenfactory.billing.pricing;

import static io.tokenfactory.billing.BillingFixtures.item;
import static io.tokenfactory.billing.BillingFixtures.metered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.billing.BillingFixtures;
import io.tokenfactory.contracts.UsageMetered;
import io.tokenfactory.support.events.CloudEventMessages;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A tariff's time-of-use bands price energy by the local time it was drawn at (billing
 * time zone: UTC here).
 */
@ServiceIntegrationTest
class TariffBandsIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void nightEnergyCostsTheNightPriceAndBadBandsAreRefused() {
        HttpTestClient admin = HttpTestClient.onPort(port).asAdmin();
        BillingFixtures.ensureTariff(admin);
        // far ahead of any test's usage, so it reprices nothing
        assertThat(admin
            .post("/api/billing/energy-tariffs",
                    Map.of("effectiveFrom", "2090-01-01T00:00:00Z", "pricePerKwh", "0.30", "bands",
                            List.of(Map.of("startsAt", "22:00", "endsAt", "06:00", "pricePerKwh", "0.10"))))
            .getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(admin
            .post("/api/billing/energy-tariffs",
                    Map.of("effectiveFrom", "2091-01-01T00:00:00Z", "pricePerKwh", "0.30", "bands",
                            List.of(Map.of("startsAt", "22:00", "endsAt", "06:00", "pricePerKwh", "0.1"),
                                    Map.of("startsAt", "05:00", "endsAt", "07:00", "pricePerKwh", "0.2"))))
            .getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);

        String model = BillingFixtures.model(admin, "GENERATION", "0", "0", "0");
        UUID department = BillingFixtures.department(admin, Map.of());
        UsageMetered.Item night = item(department, model, Instant.parse("2090-01-01T23:30:00Z"), 1, 1, "3600000", "0");
        UsageMetered.Item day = item(department, model, Instant.parse("2090-01-01T12:00:00Z"), 1, 1, "3600000", "0");
        assertThat(streamBridge.send("tokenfactory.usage-metered", CloudEventMessages
            .toMessage(metered(department, List.of(night, day)), "urn:tokenfactory:metering-service"))).isTrue();
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_charge WHERE department_id = ?", Long.class,
                    department) == 2);

        assertThat(costOf(night)).isEqualByComparingTo("0.10");
        assertThat(costOf(day)).isEqualByComparingTo("0.30");
    }

    private BigDecimal costOf(UsageMetered.Item item) {
        return jdbc.queryForObject("SELECT energy_cost FROM usage_charge WHERE usage_event_id = ?", BigDecimal.class,
                item.usage().eventId());
    }

}
