package io.tokenfactory.billing.charging;

import static io.tokenfactory.billing.pricing.PriceFixtures.prices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.tokenfactory.billing.department.BudgetPolicy;
import io.tokenfactory.billing.department.PricingMode;
import io.tokenfactory.billing.pricing.PriceFixtures;
import io.tokenfactory.billing.pricing.Prices;
import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.IdleEnergyAllocated;
import io.tokenfactory.contracts.IdleEnergyAllocated.NodeShare;
import io.tokenfactory.support.events.RejectedEventException;

import org.junit.jupiter.api.Test;

/**
 * How a department's idle share of an hour is priced, node by node: idle and overhead
 * energy at the hour's tariff, idle accelerator time at the node class's rate; only a
 * cost-plus department is charged for it.
 */
class IdlePricingTests {

    private static final Instant HOUR = Instant.parse("2026-03-10T22:00:00Z");

    private static final BigDecimal ZERO = BigDecimal.ZERO.setScale(Prices.SCALE);

    private final Prices prices = prices()
        .tariff("2026-01-01T00:00:00Z", "0.30", PriceFixtures.band("22:00", "06:00", "0.10"))
        .nodeIn("node-b", "a100")
        .capacityRate("h100", "2026-01-01T00:00:00Z", "3.60")
        .capacityRate("a100", "2026-01-01T00:00:00Z", "1.80")
        .build();

    @Test
    void eachNodesShareIsPricedAtTheHoursTariffAndItsClasssRate() {
        List<IdleCharging.Priced> priced = IdleCharging
            .price(allocation(share("node-a", "h100", EnergySource.DCGM, "3000000", "600000", "1800"),
                    share("node-b", null, EnergySource.RAPL, "360000", "0", "3600")), costPlus("10"));

        assertThat(priced)
            .extracting(IdleCharging.Priced::node, IdleCharging.Priced::nodeClass, IdleCharging.Priced::source)
            .containsExactly(tuple("node-a", "h100", "DCGM"), tuple("node-b", "a100", "RAPL"));
        // 3.6 MJ = 1 kWh at the night band's 0.10; half an hour at 3.60
        assertThat(priced.get(0).energyCost()).isEqualByComparingTo("0.10");
        assertThat(priced.get(0).capacityCost()).isEqualByComparingTo("1.80");
        assertThat(priced.get(0).charge()).isEqualByComparingTo("2.09");
        // 0.1 kWh at 0.10; an hour at the assigned class a100's 1.80
        assertThat(priced.get(1).energyCost()).isEqualByComparingTo("0.01");
        assertThat(priced.get(1).capacityCost()).isEqualByComparingTo("1.80");
        assertThat(priced.get(1).cost()).isEqualByComparingTo("1.81");
    }

    @Test
    void aListPriceDepartmentIsNotChargedForIdleTimeThoughItCostsThePlatform() {
        List<IdleCharging.Priced> priced = IdleCharging.price(
                allocation(share("node-a", "h100", EnergySource.DCGM, "3600000", "0", "3600")),
                new Tariffing.Terms(prices, Optional.empty()));

        assertThat(priced.get(0).cost()).isEqualByComparingTo("3.70");
        assertThat(priced.get(0).charge()).isEqualTo(ZERO);
    }

    @Test
    void anAllocationWithoutNodeSharesIsPricedAsEnergyOnlyUnderItsOldLabel() {
        IdleEnergyAllocated legacy = new IdleEnergyAllocated(UUID.randomUUID(), HOUR, UUID.randomUUID(), HOUR,
                new BigDecimal("3000000"), new BigDecimal("600000"), 1, List.of());

        List<IdleCharging.Priced> priced = IdleCharging.price(legacy, costPlus("0"));

        assertThat(priced).singleElement().satisfies(all -> {
            assertThat(all.node()).isEqualTo("(all nodes)");
            assertThat(all.nodeClass()).isNull();
            assertThat(all.source()).isEqualTo("ESTIMATED");
            assertThat(all.idleSeconds()).isZero();
            assertThat(all.energyCost()).isEqualByComparingTo("0.10");
            assertThat(all.capacityCost()).isEqualTo(ZERO);
            assertThat(all.charge()).isEqualByComparingTo("0.10");
        });
        IdleEnergyAllocated nothing = new IdleEnergyAllocated(UUID.randomUUID(), HOUR, UUID.randomUUID(), HOUR,
                BigDecimal.ZERO, BigDecimal.ZERO, 1, List.of());
        assertThat(IdleCharging.price(nothing, costPlus("0"))).singleElement()
            .satisfies(all -> assertThat(all.source()).isEqualTo("NONE"));
    }

    @Test
    void aPlausibleAllocationIsAccepted() {
        assertThatCode(() -> IdleCharging.validate(allocation(share("node-a", null, EnergySource.NONE, "0", "0", "0"))))
            .doesNotThrowAnyException();
    }

    @Test
    void impossibleAllocationsAreRejectedAndNeverRetried() {
        UUID department = UUID.randomUUID();
        NodeShare good = share("node-a", null, EnergySource.RAPL, "1", "0", "1");
        List<IdleEnergyAllocated> impossible = List.of(
                new IdleEnergyAllocated(UUID.randomUUID(), HOUR, null, HOUR, BigDecimal.ONE, BigDecimal.ZERO, 1,
                        List.of(good)),
                new IdleEnergyAllocated(UUID.randomUUID(), HOUR, department, HOUR, BigDecimal.ONE, BigDecimal.ZERO, 0,
                        List.of(good)),
                new IdleEnergyAllocated(UUID.randomUUID(), HOUR, department, HOUR, new BigDecimal("-1"),
                        BigDecimal.ZERO, 1, List.of(good)),
                new IdleEnergyAllocated(UUID.randomUUID(), HOUR, department, Instant.parse("1969-12-31T23:00:00Z"),
                        BigDecimal.ONE, BigDecimal.ZERO, 1, List.of(good)),
                allocation(share("node-a", null, null, "1", "0", "1")),
                allocation(share("node-a", null, EnergySource.RAPL, "1", "-1", "1")),
                allocation(share("node-a", null, EnergySource.RAPL, "1", "0", "-1")),
                allocation(share("node-a", "c".repeat(65), EnergySource.RAPL, "1", "0", "1")));
        for (IdleEnergyAllocated allocation : impossible) {
            assertThatThrownBy(() -> IdleCharging.validate(allocation)).as(allocation.toString())
                .isInstanceOf(RejectedEventException.class);
        }
    }

    private Tariffing.Terms costPlus(String margin) {
        return new Tariffing.Terms(prices,
                Optional.of(new BudgetPolicy(null, 80, false, PricingMode.COST_PLUS, new BigDecimal(margin))));
    }

    private static IdleEnergyAllocated allocation(NodeShare... nodes) {
        BigDecimal joules = BigDecimal.ZERO;
        BigDecimal overhead = BigDecimal.ZERO;
        for (NodeShare node : nodes) {
            joules = joules.add(node.idleEnergyJoules() == null ? BigDecimal.ZERO : node.idleEnergyJoules());
        }
        return new IdleEnergyAllocated(UUID.randomUUID(), HOUR, UUID.randomUUID(), HOUR, joules, overhead, 1,
                List.of(nodes));
    }

    private static NodeShare share(String node, String nodeClass, EnergySource source, String joules, String overhead,
            String seconds) {
        return new NodeShare(node, nodeClass, source, new BigDecimal(joules), new BigDecimal(overhead),
                new BigDecimal(seconds));
    }

}
