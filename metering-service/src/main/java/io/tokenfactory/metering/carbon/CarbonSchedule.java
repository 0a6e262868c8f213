package io.tokenfactory.metering.carbon;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Every carbon intensity at one moment, ready to price energy in emissions: for a node at
 * an instant, the node's own intensity in force, else its site's, else the factory's.
 */
public final class CarbonSchedule {

    /** Grams are kept to micrograms. */
    public static final int GRAMS_SCALE = 6;

    private static final BigDecimal JOULES_PER_KWH = BigDecimal.valueOf(3_600_000);

    private final Map<String, NavigableMap<Instant, BigDecimal>> byNode = new HashMap<>();

    private final Map<String, NavigableMap<Instant, BigDecimal>> bySite = new HashMap<>();

    private final NavigableMap<Instant, BigDecimal> factory = new TreeMap<>();

    private final Map<String, String> siteOfNode;

    CarbonSchedule(List<CarbonIntensity> intensities, Map<String, String> siteOfNode) {
        this.siteOfNode = Map.copyOf(siteOfNode);
        for (CarbonIntensity intensity : intensities) {
            NavigableMap<Instant, BigDecimal> schedule = switch (intensity.scope()) {
                case NODE -> byNode.computeIfAbsent(intensity.target(), node -> new TreeMap<>());
                case SITE -> bySite.computeIfAbsent(intensity.target(), site -> new TreeMap<>());
                case FACTORY -> factory;
            };
            schedule.put(intensity.effectiveFrom(), intensity.gramsPerKwh());
        }
    }

    /** A schedule without intensities: nothing has emissions. */
    public static CarbonSchedule none() {
        return new CarbonSchedule(List.of(), Map.of());
    }

    /**
     * @return gCO2e per kWh for the node at that instant; null when none is in force
     */
    public BigDecimal gramsPerKwh(String node, Instant at) {
        BigDecimal own = inForce(byNode.get(node), at);
        if (own != null) {
            return own;
        }
        String site = siteOfNode.get(node);
        BigDecimal ofSite = site == null ? null : inForce(bySite.get(site), at);
        return ofSite != null ? ofSite : inForce(factory, at);
    }

    /**
     * Location-based emissions of energy drawn by a node at an instant, in grams of CO2e;
     * null when no intensity is in force there.
     */
    public BigDecimal emissionsGrams(String node, Instant at, BigDecimal joules) {
        BigDecimal intensity = gramsPerKwh(node, at);
        if (intensity == null) {
            return null;
        }
        return joules.multiply(intensity).divide(JOULES_PER_KWH, GRAMS_SCALE, RoundingMode.HALF_EVEN);
    }

    public boolean isEmpty() {
        return byNode.isEmpty() && bySite.isEmpty() && factory.isEmpty();
    }

    private static BigDecimal inForce(NavigableMap<Instant, BigDecimal> schedule, Instant at) {
        if (schedule == null) {
            return null;
        }
        Map.Entry<Instant, BigDecimal> entry = schedule.floorEntry(at);
        return entry == null ? null : entry.getValue();
    }

}
