package io.tokenfactory.billing.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

import io.tokenfactory.billing.pricing.PriceBook.CapacityRate;
import io.tokenfactory.billing.pricing.PriceBook.NodeClass;
import io.tokenfactory.billing.pricing.PriceBook.PricedModel;
import io.tokenfactory.billing.pricing.PriceBook.RateCard;
import io.tokenfactory.billing.pricing.PriceBook.Tariff;
import io.tokenfactory.billing.pricing.PriceBook.Task;

/**
 * The price book at one moment, for pricing many records: the rate card and tariff in
 * force at any instant. Amounts keep {@link #SCALE} decimals; only statement totals are
 * rounded to the currency's minor unit.
 */
public final class Prices {

    public static final int SCALE = 12;

    private static final BigDecimal JOULES_PER_KWH = BigDecimal.valueOf(3_600_000);

    private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3_600);

    private final Map<String, Task> tasks = new HashMap<>();

    private final Map<String, NavigableMap<Instant, RateCard>> cards = new HashMap<>();

    private final NavigableMap<Instant, Tariff> tariffs = new TreeMap<>();

    private final Map<String, String> nodeClasses = new HashMap<>();

    private final Map<String, NavigableMap<Instant, CapacityRate>> capacityRates = new HashMap<>();

    private final ZoneId zone;

    Prices(List<PricedModel> models, List<RateCard> rateCards, List<Tariff> tariffList, List<NodeClass> classes,
            List<CapacityRate> rates, ZoneId zone) {
        this.zone = zone;
        models.forEach(model -> tasks.put(model.name(), model.task()));
        rateCards.forEach(
                card -> cards.computeIfAbsent(card.model(), model -> new TreeMap<>()).put(card.effectiveFrom(), card));
        tariffList.forEach(tariff -> tariffs.put(tariff.effectiveFrom(), tariff));
        classes.forEach(assignment -> nodeClasses.put(assignment.node(), assignment.nodeClass()));
        rates.forEach(rate -> capacityRates.computeIfAbsent(rate.nodeClass(), c -> new TreeMap<>())
            .put(rate.effectiveFrom(), rate));
    }

    public boolean isEmbedding(String model) {
        return tasks.get(model) == Task.EMBEDDING;
    }

    public Optional<RateCard> rateCardAt(String model, Instant at) {
        NavigableMap<Instant, RateCard> modelCards = cards.get(model);
        return Optional.ofNullable(modelCards == null ? null : modelCards.floorEntry(at)).map(Map.Entry::getValue);
    }

    /**
     * List price of tokens: prompt, completion and embedding tokens at their prices per
     * million.
     */
    public static BigDecimal listPrice(RateCard card, long promptTokens, long completionTokens, long embeddingTokens) {
        return card.promptPerMillion()
            .multiply(BigDecimal.valueOf(promptTokens))
            .add(card.completionPerMillion().multiply(BigDecimal.valueOf(completionTokens)))
            .add(card.embeddingPerMillion().multiply(BigDecimal.valueOf(embeddingTokens)))
            .movePointLeft(6)
            .setScale(SCALE, RoundingMode.HALF_EVEN);
    }

    /**
     * The price per kWh of the tariff in force at that instant: the price of the
     * time-of-use band the instant falls in (local time in the billing time zone), else
     * the tariff's own; empty when no tariff is set yet.
     */
    Optional<BigDecimal> energyPriceAt(Instant at) {
        Map.Entry<Instant, Tariff> tariff = tariffs.floorEntry(at);
        if (tariff == null) {
            return Optional.empty();
        }
        LocalTime local = at.atZone(zone).toLocalTime();
        return Optional.of(tariff.getValue()
            .bands()
            .stream()
            .filter(band -> band.covers(local))
            .findFirst()
            .map(PriceBook.Band::pricePerKwh)
            .orElse(tariff.getValue().pricePerKwh()));
    }

    /**
     * Energy cost: kWh × the price in force at that instant ({@link #energyPriceAt}), and
     * 0 when no tariff is set yet.
     */
    public BigDecimal energyCost(BigDecimal joules, Instant at) {
        return energyPriceAt(at)
            .map(price -> joules.multiply(price).divide(JOULES_PER_KWH, SCALE, RoundingMode.HALF_EVEN))
            .orElse(BigDecimal.ZERO.setScale(SCALE));
    }

    /**
     * The class a node's accelerator time is priced at: the class the node declared on
     * its usage or power windows (inference-service's
     * {@code tokenfactory.nodes[].node-class}), else the class an administrator assigned
     * it here, else {@code default}.
     */
    public String nodeClassOf(String node, String declaredClass) {
        if (declaredClass != null && !declaredClass.isBlank()) {
            return declaredClass;
        }
        return nodeClasses.getOrDefault(node, PriceBook.DEFAULT_NODE_CLASS);
    }

    /**
     * Capacity cost: accelerator-hours × the amortised cost per accelerator-hour of the
     * node's class (see {@link #nodeClassOf}) in force at that instant (0 when the class
     * has no rate yet).
     */
    public BigDecimal capacityCost(String node, String declaredClass, BigDecimal acceleratorSeconds, Instant at) {
        return capacityRateAt(nodeClassOf(node, declaredClass), at)
            .map(rate -> acceleratorSeconds.multiply(rate).divide(SECONDS_PER_HOUR, SCALE, RoundingMode.HALF_EVEN))
            .orElse(BigDecimal.ZERO.setScale(SCALE));
    }

    /**
     * The amortised cost per accelerator-hour of a node class in force at that instant;
     * empty when the class has no rate yet.
     */
    Optional<BigDecimal> capacityRateAt(String nodeClass, Instant at) {
        NavigableMap<Instant, CapacityRate> rates = capacityRates.get(nodeClass);
        Map.Entry<Instant, CapacityRate> rate = rates == null ? null : rates.floorEntry(at);
        return Optional.ofNullable(rate).map(entry -> entry.getValue().costPerAcceleratorHour());
    }

    /** Cost plus margin: cost × (1 + margin / 100). */
    public static BigDecimal costPlus(BigDecimal cost, BigDecimal marginPercent) {
        return cost.multiply(BigDecimal.ONE.add(marginPercent.movePointLeft(2)))
            .setScale(SCALE, RoundingMode.HALF_EVEN);
    }

}
