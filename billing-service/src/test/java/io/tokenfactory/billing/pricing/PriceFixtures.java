package io.tokenfactory.billing.pricing;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.billing.pricing.PriceBook.Band;
import io.tokenfactory.billing.pricing.PriceBook.CapacityRate;
import io.tokenfactory.billing.pricing.PriceBook.NodeClass;
import io.tokenfactory.billing.pricing.PriceBook.PricedModel;
import io.tokenfactory.billing.pricing.PriceBook.RateCard;
import io.tokenfactory.billing.pricing.PriceBook.Tariff;
import io.tokenfactory.billing.pricing.PriceBook.Task;

/**
 * A price book in memory, as {@link PriceBook#snapshot()} would read it, for tests
 * without a database.
 */
public final class PriceFixtures {

    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

    private final List<PricedModel> models = new ArrayList<>();

    private final List<RateCard> cards = new ArrayList<>();

    private final List<Tariff> tariffs = new ArrayList<>();

    private final List<NodeClass> classes = new ArrayList<>();

    private final List<CapacityRate> rates = new ArrayList<>();

    private ZoneId zone = ZoneId.of("UTC");

    public static PriceFixtures prices() {
        return new PriceFixtures();
    }

    public PriceFixtures zone(String zoneId) {
        zone = ZoneId.of(zoneId);
        return this;
    }

    /**
     * A model and its rate card: prompt, completion and embedding prices per million
     * tokens.
     */
    public PriceFixtures model(String name, Task task, String from, String prompt, String completion,
            String embedding) {
        if (models.stream().noneMatch(model -> model.name().equals(name))) {
            models.add(new PricedModel(name, task, CREATED));
        }
        cards.add(new RateCard(UUID.randomUUID(), name, Instant.parse(from), new BigDecimal(prompt),
                new BigDecimal(completion), new BigDecimal(embedding), CREATED));
        return this;
    }

    public PriceFixtures tariff(String from, String pricePerKwh, Band... bands) {
        tariffs.add(new Tariff(UUID.randomUUID(), Instant.parse(from), new BigDecimal(pricePerKwh), List.of(bands),
                CREATED));
        return this;
    }

    public static Band band(String startsAt, String endsAt, String pricePerKwh) {
        return new Band(LocalTime.parse(startsAt), LocalTime.parse(endsAt), new BigDecimal(pricePerKwh));
    }

    public PriceFixtures nodeIn(String node, String nodeClass) {
        classes.add(new NodeClass(node, nodeClass));
        return this;
    }

    public PriceFixtures capacityRate(String nodeClass, String from, String costPerAcceleratorHour) {
        rates.add(new CapacityRate(UUID.randomUUID(), nodeClass, Instant.parse(from),
                new BigDecimal(costPerAcceleratorHour), CREATED));
        return this;
    }

    public Prices build() {
        return new Prices(models, cards, tariffs, classes, rates, zone);
    }

}
