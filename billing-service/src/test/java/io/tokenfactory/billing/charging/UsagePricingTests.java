package io.tokenfactory.billing.charging;

import static io.tokenfactory.billing.pricing.PriceFixtures.prices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.tokenfactory.billing.department.BudgetPolicy;
import io.tokenfactory.billing.department.PricingMode;
import io.tokenfactory.billing.pricing.PriceBook.Task;
import io.tokenfactory.billing.pricing.Prices;
import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageMetered;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.support.events.RejectedEventException;

import org.junit.jupiter.api.Test;

/**
 * How one usage record is priced: tokens at the rate card, energy at the tariff, time at
 * the capacity rate.
 */
class UsagePricingTests {

    private static final UUID DEPARTMENT = UUID.randomUUID();

    private static final Instant AT = Instant.parse("2026-03-10T12:00:00Z");

    private final BillingPeriods periods = BillingPeriodsTests.periods("EUR", "Europe/Berlin", Clock.systemUTC());

    private final Prices prices = prices().model("llama", Task.GENERATION, "2026-01-01T00:00:00Z", "0.50", "1.50", "0")
        .model("llama", Task.GENERATION, "2026-03-10T12:00:00.001Z", "9", "9", "0")
        .model("minilm", Task.EMBEDDING, "2026-01-01T00:00:00Z", "9", "9", "0.02")
        .tariff("2026-01-01T00:00:00Z", "0.25")
        .nodeIn("node-a", "h100")
        .capacityRate("h100", "2026-01-01T00:00:00Z", "3.60")
        .build();

    @Test
    void aListPriceDepartmentPaysTheTokensAtTheCardInForceWhenTheRequestHappened() {
        UsageCharging.Line line = UsageCharging.price(item("llama", 1_000, 2_000, "1800000", "360000", 1800),
                listPrice(), periods);

        assertThat(line.card().promptPerMillion()).isEqualByComparingTo("0.50");
        assertThat(line.promptTokens()).isEqualTo(1_000);
        assertThat(line.embeddingTokens()).isZero();
        // 1 000 × 0.50/M + 2 000 × 1.50/M
        assertThat(line.listPrice()).isEqualByComparingTo("0.0035");
        assertThat(line.charge()).isEqualTo(line.listPrice());
    }

    @Test
    void theCostIsDirectAndOverheadEnergyAtTheTariffPlusAcceleratorTimeAtTheClassRate() {
        UsageCharging.Line line = UsageCharging.price(item("llama", 1, 1, "1800000", "360000", 1800), listPrice(),
                periods);

        // (1 800 000 + 360 000) J = 0.6 kWh at 0.25; half an hour at 3.60
        assertThat(line.energyCost()).isEqualByComparingTo("0.15");
        assertThat(line.capacityCost()).isEqualByComparingTo("1.80");
        assertThat(line.cost()).isEqualByComparingTo("1.95");
    }

    @Test
    void aCostPlusDepartmentPaysTheCostPlusItsMargin() {
        UsageCharging.Line line = UsageCharging.price(item("llama", 1_000, 2_000, "1800000", "360000", 1800),
                costPlus("20"), periods);

        assertThat(line.listPrice()).isEqualByComparingTo("0.0035");
        assertThat(line.charge()).isEqualByComparingTo("2.34");
    }

    @Test
    void anEmbeddingModelsInputTokensArePricedAsEmbeddingTokens() {
        UsageCharging.Line line = UsageCharging.price(item("minilm", 500_000, 0, "0", "0", 0), listPrice(), periods);

        assertThat(line.promptTokens()).isZero();
        assertThat(line.embeddingTokens()).isEqualTo(500_000);
        assertThat(line.listPrice()).isEqualByComparingTo("0.01");
    }

    @Test
    void usageWithoutARateCardIsParkedForAListPriceDepartment() {
        assertThatThrownBy(() -> UsageCharging.price(item("unpriced", 1, 1, "0", "0", 0), listPrice(), periods))
            .isInstanceOf(RejectedEventException.class)
            .hasMessageContaining("no rate card for model 'unpriced' in force at " + AT);
    }

    @Test
    void usageWithoutARateCardCostsItsCostForACostPlusDepartment() {
        UsageCharging.Line line = UsageCharging.price(item("unpriced", 1, 1, "3600000", "0", 0), costPlus("0"),
                periods);

        assertThat(line.card()).isNull();
        assertThat(line.listPrice()).isEqualTo(BigDecimal.ZERO.setScale(Prices.SCALE));
        assertThat(line.charge()).isEqualByComparingTo("0.25");
    }

    @Test
    void theServicePeriodIsTheMonthOfUseInTheBillingTimeZone() {
        // 31 March 2026, 22:30 UTC is already April in Berlin (CEST)
        UsageCharging.Line line = UsageCharging.price(item("llama", Instant.parse("2026-03-31T22:30:00Z")), listPrice(),
                periods);

        assertThat(line.servicePeriod()).isEqualTo(YearMonth.of(2026, 4));
    }

    @Test
    void acceleratorSecondsAreTheDecimalTheyReadAsToTheNanosecond() {
        assertThat(seconds(0.1)).isEqualTo(new BigDecimal("0.100000000"));
        // half-even at the nanosecond
        assertThat(seconds(1.0000000005)).isEqualTo(new BigDecimal("1.000000000"));
        assertThat(seconds(1.0000000015)).isEqualTo(new BigDecimal("1.000000002"));
    }

    @Test
    void aBatchOfPlausibleUsageOfOneDepartmentIsAccepted() {
        UsageMetered plausible = metered(item("llama", 1, 1, "1", "0", 1));

        assertThatCode(() -> UsageCharging.validate(plausible)).doesNotThrowAnyException();
    }

    @Test
    void impossibleUsageIsRejectedAndNeverRetried() {
        UsageMetered.Item good = item("llama", 1, 1, "1", "0", 1);
        List<UsageMetered> impossible = List.of(new UsageMetered(UUID.randomUUID(), AT, null, List.of(good)),
                new UsageMetered(UUID.randomUUID(), AT, DEPARTMENT, List.of()),
                metered(new UsageMetered.Item(usage(UUID.randomUUID(), "llama", AT, 1, 1, 0), BigDecimal.ONE,
                        BigDecimal.ZERO, BigDecimal.ONE)),
                metered(new UsageMetered.Item(usage("llama", AT, -1, 1, 0), BigDecimal.ONE, BigDecimal.ZERO,
                        BigDecimal.ONE)),
                metered(new UsageMetered.Item(usage("llama", AT, 1, 1, 0), new BigDecimal("-1"), BigDecimal.ZERO,
                        BigDecimal.ONE)),
                metered(new UsageMetered.Item(usage("llama", AT, 1, 1, 0), new BigDecimal("1E19"), BigDecimal.ZERO,
                        BigDecimal.ONE)),
                metered(new UsageMetered.Item(usage("llama", AT, 1, 1, Double.NaN), BigDecimal.ONE, BigDecimal.ZERO,
                        BigDecimal.ONE)),
                metered(new UsageMetered.Item(usage("x".repeat(201), AT, 1, 1, 0), BigDecimal.ONE, BigDecimal.ZERO,
                        BigDecimal.ONE)),
                metered(new UsageMetered.Item(usage("llama", Instant.parse("9999-06-01T00:00:00Z"), 1, 1, 0),
                        BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ONE)));
        for (UsageMetered event : impossible) {
            assertThatThrownBy(() -> UsageCharging.validate(event)).as(event.toString())
                .isInstanceOf(RejectedEventException.class);
        }
    }

    private static BigDecimal seconds(double acceleratorSeconds) {
        return UsageCharging.seconds(usage("llama", AT, 1, 1, acceleratorSeconds));
    }

    private Tariffing.Terms listPrice() {
        return new Tariffing.Terms(prices, Optional.empty());
    }

    private Tariffing.Terms costPlus(String margin) {
        return new Tariffing.Terms(prices,
                Optional.of(new BudgetPolicy(null, 80, false, PricingMode.COST_PLUS, new BigDecimal(margin))));
    }

    private UsageMetered.Item item(String model, long prompt, long completion, String direct, String overhead,
            double acceleratorSeconds) {
        return new UsageMetered.Item(usage(model, AT, prompt, completion, acceleratorSeconds), new BigDecimal(direct),
                new BigDecimal(overhead), new BigDecimal("1.2"));
    }

    private UsageMetered.Item item(String model, Instant at) {
        return new UsageMetered.Item(usage(model, at, 1, 1, 0), BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ONE);
    }

    private static UsageMetered metered(UsageMetered.Item item) {
        return new UsageMetered(UUID.randomUUID(), AT, DEPARTMENT, List.of(item));
    }

    private static UsageRecorded usage(String model, Instant at, long prompt, long completion, double seconds) {
        return usage(DEPARTMENT, model, at, prompt, completion, seconds);
    }

    private static UsageRecorded usage(UUID department, String model, Instant at, long prompt, long completion,
            double seconds) {
        return new UsageRecorded(UUID.randomUUID(), at, "req-1", department, UUID.randomUUID(), null, null, model,
                "djl", "node-a", "gpu0", prompt, completion, UsageOutcome.COMPLETED, 100, 10, 1.0, EnergySource.DCGM,
                seconds, false, null, 0.0);
    }

}
