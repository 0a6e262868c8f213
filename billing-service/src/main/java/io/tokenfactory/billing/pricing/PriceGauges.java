package io.tokenfactory.billing.pricing;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.tokenfactory.billing.BillingProperties;
import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The rates a node's tokens cost at now, for inference-service's cost routing (it scrapes
 * {@code /actuator/prometheus}), refreshed every minute from the price book: the energy
 * price per kWh in force ({@code tokenfactory_billing_node_energy_price}) and the cost
 * per accelerator-hour of the node's class
 * ({@code tokenfactory_billing_node_capacity_rate}), tags {@code node} and
 * {@code currency}. The nodes are those assigned a class and those charged for in the
 * last day; {@code node="*"} carries what a node billing does not know is priced at (the
 * tariff and the {@code default} class's rate). A figure billing does not have (no tariff
 * yet, a class without a rate) is no series, never 0.
 */
@Component
class PriceGauges extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(PriceGauges.class);

    /** How far back charges name the nodes (and the classes they declare). */
    private static final Duration RECENT = Duration.ofDays(1);

    /** The node of the series for nodes billing does not know. */
    static final String ANY_NODE = "*";

    private final PriceBook priceBook;

    private final JdbcTemplate jdbc;

    private final Clock clock;

    private final String currency;

    private final MultiGauge energyPrice;

    private final MultiGauge capacityRate;

    PriceGauges(PriceBook priceBook, JdbcTemplate jdbc, Clock clock, BillingProperties properties,
            MeterRegistry meters) {
        super("price-gauges", Duration.ofMinutes(1));
        this.priceBook = priceBook;
        this.jdbc = jdbc;
        this.clock = clock;
        this.currency = properties.currency();
        this.energyPrice = MultiGauge.builder("tokenfactory.billing.node.energy.price")
            .description("energy price per kWh in force for each node now; node=\"*\": for a node billing does not "
                    + "know")
            .register(meters);
        this.capacityRate = MultiGauge.builder("tokenfactory.billing.node.capacity.rate")
            .description("cost per accelerator-hour of each node's class now; node=\"*\": the default class's")
            .register(meters);
    }

    /** One node's rates now; null where billing has no figure. */
    record NodeRates(String node, @Nullable BigDecimal energyPricePerKwh,
            @Nullable BigDecimal capacityRatePerAcceleratorHour) {
    }

    @Override
    protected void beforeFirstRun() {
        runOnce();
    }

    @Override
    protected void runOnce() {
        try {
            refresh();
        }
        catch (RuntimeException e) {
            log.warn("Refreshing the price gauges failed; will try again: {}", e.getMessage());
        }
    }

    /** One at a time: the last refresh to start is the last to set the gauges. */
    synchronized void refresh() {
        Instant now = clock.instant();
        // node → the class it declared on its latest charge (null: none), as charging
        // prices it
        Map<String, @Nullable String> nodes = new HashMap<>();
        priceBook.nodeClasses().forEach(assigned -> nodes.put(assigned.node(), null));
        jdbc.query("""
                SELECT DISTINCT ON (node) node, node_class FROM usage_charge WHERE occurred_at >= ?
                ORDER BY node, occurred_at DESC""", row -> {
            nodes.put(row.getString(1), row.getString(2));
        }, Timestamp.from(now.minus(RECENT)));
        List<MultiGauge.Row<?>> energy = new ArrayList<>();
        List<MultiGauge.Row<?>> capacity = new ArrayList<>();
        for (NodeRates rates : ratesAt(priceBook.snapshot(), nodes, now)) {
            Tags tags = Tags.of("node", rates.node(), "currency", currency);
            if (rates.energyPricePerKwh() != null) {
                energy.add(MultiGauge.Row.of(tags, rates.energyPricePerKwh().doubleValue()));
            }
            if (rates.capacityRatePerAcceleratorHour() != null) {
                capacity.add(MultiGauge.Row.of(tags, rates.capacityRatePerAcceleratorHour().doubleValue()));
            }
        }
        // overwrite: a changed rate replaces its series' value, a node no longer known
        // loses its series
        energyPrice.register(energy, true);
        capacityRate.register(capacity, true);
    }

    /**
     * The rates of each node (to the class it declared, or null) at that instant, priced
     * as charging prices them, and those of a node billing does not know
     * ({@link #ANY_NODE}).
     */
    static List<NodeRates> ratesAt(Prices prices, Map<String, @Nullable String> nodes, Instant at) {
        // one tariff for the whole factory: every node's energy costs the same
        BigDecimal energy = prices.energyPriceAt(at).orElse(null);
        BigDecimal unknownNode = prices.capacityRateAt(PriceBook.DEFAULT_NODE_CLASS, at).orElse(null);
        List<NodeRates> rates = new ArrayList<>();
        rates.add(new NodeRates(ANY_NODE, energy, unknownNode));
        new TreeMap<>(nodes).forEach((node, declared) -> rates.add(new NodeRates(node, energy,
                prices.capacityRateAt(prices.nodeClassOf(node, declared), at).orElse(null))));
        return rates;
    }

}
