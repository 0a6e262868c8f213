package io.tokenfactory.metering.energy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import io.tokenfactory.metering.MeteringProperties;
import io.tokenfactory.metering.MeteringProperties.PueFrom;

import org.springframework.stereotype.Component;

/**
 * The facility's overhead on top of the energy the accelerators draw (cooling, power
 * conversion), as a configured effective-dated PUE: overhead = energy × (PUE − 1), with
 * the PUE in force when the energy was drawn.
 */
@Component
public class FacilityOverhead {

    /** Joules are kept to nanojoules. */
    public static final int JOULE_SCALE = 9;

    private final NavigableMap<Instant, BigDecimal> schedule = new TreeMap<>();

    FacilityOverhead(MeteringProperties properties) {
        for (PueFrom entry : properties.energy().pue()) {
            if (schedule.put(entry.effectiveFrom(), entry.factor()) != null) {
                throw new IllegalStateException(
                        "tokenfactory.metering.energy.pue has two factors effective from " + entry.effectiveFrom());
            }
        }
    }

    public BigDecimal pueAt(Instant at) {
        Map.Entry<Instant, BigDecimal> entry = schedule.floorEntry(at);
        return entry == null ? BigDecimal.ONE : entry.getValue();
    }

    public BigDecimal overheadJoules(BigDecimal joules, Instant at) {
        return joules.multiply(pueAt(at).subtract(BigDecimal.ONE)).setScale(JOULE_SCALE, RoundingMode.HALF_EVEN);
    }

    /**
     * The schedule as an SQL table expression {@code (effective_from, until, factor)} for
     * statements that apply the PUE to many hours at once. Only typed configuration
     * values (instants, decimals) are written into it.
     */
    public String asSqlTable() {
        if (schedule.isEmpty()) {
            return "(SELECT NULL::timestamptz AS effective_from, NULL::timestamptz AS until, NULL::numeric AS factor WHERE false)";
        }
        StringBuilder values = new StringBuilder(
                "(SELECT effective_from, lead(effective_from) OVER (ORDER BY effective_from) AS until, factor FROM (VALUES ");
        String separator = "";
        for (Map.Entry<Instant, BigDecimal> entry : schedule.entrySet()) {
            values.append(separator)
                .append("('")
                .append(entry.getKey())
                .append("'::timestamptz, ")
                .append(entry.getValue().toPlainString())
                .append("::numeric)");
            separator = ", ";
        }
        return values.append(") AS p(effective_from, factor))").toString();
    }

    /** The schedule, oldest first, for SQL that prices many hours at once. */
    public NavigableMap<Instant, BigDecimal> schedule() {
        return java.util.Collections.unmodifiableNavigableMap(schedule);
    }

}
