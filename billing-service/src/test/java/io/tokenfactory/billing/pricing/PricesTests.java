package io.tokenfactory.billing.pricing;

import static io.tokenfactory.billing.pricing.PriceFixtures.band;
import static io.tokenfactory.billing.pricing.PriceFixtures.prices;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import io.tokenfactory.billing.pricing.PriceBook.RateCard;
import io.tokenfactory.billing.pricing.PriceBook.Task;

import org.junit.jupiter.api.Test;

/**
 * Pricing rules: the rate card, tariff (with its time-of-use bands) and capacity rate in
 * force at an instant, and the arithmetic that turns tokens, joules and
 * accelerator-seconds into money, kept to 12 decimals (half-even).
 */
class PricesTests {

    private static final BigDecimal ONE_KWH = new BigDecimal("3600000");

    @Test
    void theRateCardInForceIsTheLatestThatStartedAtOrBeforeTheInstant() {
        Prices prices = prices().model("llama", Task.GENERATION, "2026-01-01T00:00:00Z", "0.50", "1.50", "0")
            .model("llama", Task.GENERATION, "2026-02-01T00:00:00Z", "0.40", "1.20", "0")
            .build();

        assertThat(prices.rateCardAt("llama", Instant.parse("2025-12-31T23:59:59.999Z"))).isEmpty();
        assertThat(prices.rateCardAt("llama", Instant.parse("2026-01-01T00:00:00Z")))
            .hasValueSatisfying(card -> assertThat(card.promptPerMillion()).isEqualByComparingTo("0.50"));
        assertThat(prices.rateCardAt("llama", Instant.parse("2026-01-31T23:59:59.999Z")))
            .hasValueSatisfying(card -> assertThat(card.promptPerMillion()).isEqualByComparingTo("0.50"));
        assertThat(prices.rateCardAt("llama", Instant.parse("2026-02-01T00:00:00Z")))
            .hasValueSatisfying(card -> assertThat(card.promptPerMillion()).isEqualByComparingTo("0.40"));
        assertThat(prices.rateCardAt("mistral", Instant.parse("2026-02-01T00:00:00Z"))).isEmpty();
    }

    @Test
    void onlyModelsRegisteredForEmbeddingAreEmbeddingModels() {
        Prices prices = prices().model("minilm", Task.EMBEDDING, "2026-01-01T00:00:00Z", "0", "0", "0.02")
            .model("llama", Task.GENERATION, "2026-01-01T00:00:00Z", "0.5", "1.5", "0")
            .build();

        assertThat(prices.isEmbedding("minilm")).isTrue();
        assertThat(prices.isEmbedding("llama")).isFalse();
        assertThat(prices.isEmbedding("never-registered")).isFalse();
    }

    @Test
    void listPriceIsEachKindOfTokenAtItsPricePerMillion() {
        RateCard card = card("0.50", "1.50", "0.02");

        // 1 000 × 0.50/M + 2 000 × 1.50/M + 500 000 × 0.02/M = 0.0005 + 0.003 + 0.01
        assertThat(Prices.listPrice(card, 1_000, 2_000, 500_000)).isEqualTo(new BigDecimal("0.013500000000"));
        assertThat(Prices.listPrice(card, 0, 0, 0)).isEqualTo(new BigDecimal("0.000000000000"));
    }

    @Test
    void listPriceRoundsHalfEvenAtTheTwelfthDecimal() {
        // 1 token at 0.0000015 per million is 1.5e-12: half-even rounds to 2e-12; 2.5e-12
        // rounds to 2e-12 as well
        assertThat(Prices.listPrice(card("0.0000015", "0", "0"), 1, 0, 0)).isEqualTo(new BigDecimal("2E-12"));
        assertThat(Prices.listPrice(card("0.0000025", "0", "0"), 1, 0, 0)).isEqualTo(new BigDecimal("2E-12"));
        assertThat(Prices.listPrice(card("0.0000035", "0", "0"), 1, 0, 0)).isEqualTo(new BigDecimal("4E-12"));
    }

    @Test
    void energyCostsNothingBeforeAnyTariffStarts() {
        Prices none = prices().build();
        Prices later = prices().tariff("2026-06-01T00:00:00Z", "0.25").build();

        assertThat(none.energyCost(ONE_KWH, Instant.parse("2026-06-01T00:00:00Z"))).isZero();
        assertThat(none.energyCost(ONE_KWH, Instant.parse("2026-06-01T00:00:00Z")).scale()).isEqualTo(Prices.SCALE);
        assertThat(later.energyCost(ONE_KWH, Instant.parse("2026-05-31T23:59:59Z"))).isZero();
    }

    @Test
    void energyIsPricedPerKilowattHourAtTheTariffInForce() {
        Prices prices = prices().tariff("2026-01-01T00:00:00Z", "0.25").tariff("2026-07-01T00:00:00Z", "0.30").build();

        assertThat(prices.energyCost(ONE_KWH, Instant.parse("2026-06-30T23:59:59Z"))).isEqualByComparingTo("0.25");
        assertThat(prices.energyCost(ONE_KWH, Instant.parse("2026-07-01T00:00:00Z"))).isEqualByComparingTo("0.30");
        // 1 J at 0.25 per kWh is 0.25 / 3 600 000 = 6.944…e-8, kept to 12 decimals
        assertThat(prices.energyCost(BigDecimal.ONE, Instant.parse("2026-03-01T00:00:00Z")))
            .isEqualTo(new BigDecimal("0.000000069444"));
        assertThat(prices.energyCost(BigDecimal.ZERO, Instant.parse("2026-03-01T00:00:00Z"))).isZero();
    }

    @Test
    void aBandThatWrapsMidnightCoversItsStartButNotItsEnd() {
        Prices prices = prices().tariff("2026-01-01T00:00:00Z", "0.30", band("22:00", "06:00", "0.10")).build();

        assertThat(prices.energyCost(ONE_KWH, Instant.parse("2026-03-01T21:59:59Z"))).isEqualByComparingTo("0.30");
        assertThat(prices.energyCost(ONE_KWH, Instant.parse("2026-03-01T22:00:00Z"))).isEqualByComparingTo("0.10");
        assertThat(prices.energyCost(ONE_KWH, Instant.parse("2026-03-02T00:00:00Z"))).isEqualByComparingTo("0.10");
        assertThat(prices.energyCost(ONE_KWH, Instant.parse("2026-03-02T05:59:59.999Z"))).isEqualByComparingTo("0.10");
        assertThat(prices.energyCost(ONE_KWH, Instant.parse("2026-03-02T06:00:00Z"))).isEqualByComparingTo("0.30");
    }

    @Test
    void aDaytimeBandCoversOnlyItsHoursAndOtherBandsKeepTheirOwnPrices() {
        Prices prices = prices()
            .tariff("2026-01-01T00:00:00Z", "0.30", band("09:00", "17:00", "0.40"), band("17:00", "20:00", "0.50"))
            .build();

        assertThat(prices.energyCost(ONE_KWH, Instant.parse("2026-03-01T08:59:59Z"))).isEqualByComparingTo("0.30");
        assertThat(prices.energyCost(ONE_KWH, Instant.parse("2026-03-01T09:00:00Z"))).isEqualByComparingTo("0.40");
        assertThat(prices.energyCost(ONE_KWH, Instant.parse("2026-03-01T17:00:00Z"))).isEqualByComparingTo("0.50");
        assertThat(prices.energyCost(ONE_KWH, Instant.parse("2026-03-01T20:00:00Z"))).isEqualByComparingTo("0.30");
    }

    @Test
    void bandsAreReadInTheBillingTimeZoneAcrossDaylightSavingTime() {
        Prices berlin = prices().zone("Europe/Berlin")
            .tariff("2026-01-01T00:00:00Z", "0.30", band("22:00", "06:00", "0.10"))
            .build();

        // winter (CET, UTC+1): 21:30 UTC is 22:30 in Berlin, inside the night band; 20:30
        // UTC is 21:30, outside
        assertThat(berlin.energyCost(ONE_KWH, Instant.parse("2026-01-15T21:30:00Z"))).isEqualByComparingTo("0.10");
        assertThat(berlin.energyCost(ONE_KWH, Instant.parse("2026-01-15T20:30:00Z"))).isEqualByComparingTo("0.30");
        // summer (CEST, UTC+2): 20:30 UTC is already 22:30 in Berlin; 04:30 UTC is 06:30,
        // the day price again
        assertThat(berlin.energyCost(ONE_KWH, Instant.parse("2026-07-15T20:30:00Z"))).isEqualByComparingTo("0.10");
        assertThat(berlin.energyCost(ONE_KWH, Instant.parse("2026-07-16T04:30:00Z"))).isEqualByComparingTo("0.30");
    }

    @Test
    void aNodesClassIsTheOneItDeclaredElseItsAssignmentElseTheDefault() {
        Prices prices = prices().nodeIn("node-a", "h100").build();

        assertThat(prices.nodeClassOf("node-a", "a100")).isEqualTo("a100");
        assertThat(prices.nodeClassOf("node-a", " ")).isEqualTo("h100");
        assertThat(prices.nodeClassOf("node-a", null)).isEqualTo("h100");
        assertThat(prices.nodeClassOf("node-b", null)).isEqualTo(PriceBook.DEFAULT_NODE_CLASS);
    }

    @Test
    void capacityCostIsAcceleratorHoursAtTheRateOfTheNodesClassInForce() {
        Prices prices = prices().nodeIn("node-a", "h100")
            .capacityRate("h100", "2026-01-01T00:00:00Z", "3.60")
            .capacityRate("h100", "2026-07-01T00:00:00Z", "7.20")
            .capacityRate(PriceBook.DEFAULT_NODE_CLASS, "2026-01-01T00:00:00Z", "1.00")
            .build();
        Instant spring = Instant.parse("2026-03-01T00:00:00Z");

        // 1 800 s = half an hour at 3.60 per hour
        assertThat(prices.capacityCost("node-a", null, new BigDecimal("1800"), spring)).isEqualByComparingTo("1.80");
        assertThat(prices.capacityCost("node-a", null, new BigDecimal("1800"), Instant.parse("2026-07-01T00:00:00Z")))
            .isEqualByComparingTo("3.60");
        assertThat(prices.capacityCost("node-b", null, new BigDecimal("3600"), spring)).isEqualByComparingTo("1.00");
        // the class a node declares wins over its assignment; 1 s at 1.00 per hour, kept
        // to 12 decimals
        assertThat(prices.capacityCost("node-a", "default", BigDecimal.ONE, spring))
            .isEqualTo(new BigDecimal("0.000277777778"));
    }

    @Test
    void acceleratorTimeCostsNothingWhileItsClassHasNoRate() {
        Prices prices = prices().capacityRate("h100", "2026-06-01T00:00:00Z", "3.60").build();

        assertThat(prices.capacityCost("node-a", "a100", new BigDecimal("3600"), Instant.parse("2026-07-01T00:00:00Z")))
            .isEqualTo(new BigDecimal("0E-12"));
        assertThat(prices.capacityCost("node-a", "h100", new BigDecimal("3600"), Instant.parse("2026-05-31T00:00:00Z")))
            .isZero();
    }

    @Test
    void costPlusAddsTheMarginInPercent() {
        assertThat(Prices.costPlus(new BigDecimal("10"), new BigDecimal("25")))
            .isEqualTo(new BigDecimal("12.500000000000"));
        assertThat(Prices.costPlus(new BigDecimal("10"), BigDecimal.ZERO)).isEqualByComparingTo("10");
        assertThat(Prices.costPlus(BigDecimal.ZERO, new BigDecimal("25"))).isZero();
        // 0.000000000001 × 1.125 = 1.125e-12: half-even at 12 decimals
        assertThat(Prices.costPlus(new BigDecimal("1E-12"), new BigDecimal("12.5"))).isEqualTo(new BigDecimal("1E-12"));
        assertThat(Prices.costPlus(new BigDecimal("1E-12"), new BigDecimal("150"))).isEqualTo(new BigDecimal("2E-12"));
    }

    private static RateCard card(String prompt, String completion, String embedding) {
        return new RateCard(UUID.randomUUID(), "m", Instant.EPOCH, new BigDecimal(prompt), new BigDecimal(completion),
                new BigDecimal(embedding), Instant.EPOCH);
    }

}
