package io.tokenfactory.billing.pricing;

import static io.tokenfactory.billing.pricing.PriceFixtures.band;
import static io.tokenfactory.billing.pricing.PriceFixtures.prices;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.tokenfactory.billing.pricing.PriceGauges.NodeRates;

import org.junit.jupiter.api.Test;

/**
 * The rates the price gauges show: per node as charging prices it (the declared class
 * before the assigned one, the default class for neither), and for a node billing does
 * not know; none where billing has no figure.
 */
class PriceGaugesTests {

    private static final Instant EVENING = Instant.parse("2026-03-02T18:00:00Z");

    @Test
    void eachNodeHasTheEnergyPriceInForceAndItsClassRate() {
        Prices prices = prices().tariff("2026-01-01T00:00:00Z", "0.20", band("17:00", "21:00", "0.40"))
            .nodeIn("gpu-1", "h100")
            .nodeIn("gpu-2", "h100")
            .capacityRate("h100", "2026-01-01T00:00:00Z", "2.50")
            .capacityRate("a10", "2026-01-01T00:00:00Z", "0.80")
            .capacityRate("default", "2026-01-01T00:00:00Z", "1.00")
            .build();
        Map<String, String> nodes = new HashMap<>();
        nodes.put("gpu-1", null);
        // a class the node declares on its usage wins over the one assigned here
        nodes.put("gpu-2", "a10");
        nodes.put("cpu-1", null);

        assertThat(PriceGauges.ratesAt(prices, nodes, EVENING)).containsExactly(rates("*", "0.40", "1.00"),
                rates("cpu-1", "0.40", "1.00"), rates("gpu-1", "0.40", "2.50"), rates("gpu-2", "0.40", "0.80"));
        assertThat(PriceGauges.ratesAt(prices, Map.of(), Instant.parse("2026-03-02T09:00:00Z")))
            .containsExactly(rates("*", "0.20", "1.00"));
    }

    @Test
    void aFigureBillingDoesNotHaveIsNone() {
        Prices prices = prices().tariff("2027-01-01T00:00:00Z", "0.20")
            .nodeIn("gpu-1", "h100")
            .capacityRate("h100", "2026-01-01T00:00:00Z", "2.50")
            .build();

        assertThat(PriceGauges.ratesAt(prices, Map.of("gpu-1", "h100", "gpu-9", "b200"), EVENING))
            .containsExactly(rates("*", null, null), rates("gpu-1", null, "2.50"), rates("gpu-9", null, null));
    }

    private static NodeRates rates(String node, String energy, String capacity) {
        return new NodeRates(node, energy == null ? null : new BigDecimal(energy),
                capacity == null ? null : new BigDecimal(capacity));
    }

}
