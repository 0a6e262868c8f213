package io.tokenfactory.metering.carbon;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.metering.MeteringProperties;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Grid carbon intensities, set by administrators and effective-dated like energy tariffs:
 * one in force from its instant until the next of the same node, site or factory. One
 * that would reach back over usage already metered is refused, so the emissions of
 * metered usage never change behind a report or a statement.
 */
@Service
public class CarbonIntensities {

    private final JdbcTemplate jdbc;

    private final Map<String, String> siteOfNode = new HashMap<>();

    private final Map<String, List<String>> sites;

    private final Clock clock;

    private final AuditTrail audit;

    CarbonIntensities(JdbcTemplate jdbc, MeteringProperties properties, Clock clock, AuditTrail audit) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.audit = audit;
        this.sites = properties.energy().sites();
        sites.forEach((site, nodes) -> nodes.forEach(node -> {
            String other = siteOfNode.put(node, site);
            if (other != null) {
                throw new IllegalStateException("tokenfactory.metering.energy.sites puts node '" + node
                        + "' in two sites: '" + other + "' and '" + site + "'");
            }
        }));
    }

    @Transactional
    public CarbonIntensity add(CarbonScope scope, String target, Instant effectiveFrom, BigDecimal gramsPerKwh,
            String source) {
        String name = target == null ? "" : target.trim();
        if (scope == CarbonScope.FACTORY && !name.isEmpty()) {
            throw ApiProblemException.unprocessable("invalid_target", "A factory-wide intensity names no node or site");
        }
        if (scope != CarbonScope.FACTORY && name.isEmpty()) {
            throw ApiProblemException.unprocessable("invalid_target",
                    "A " + scope.name().toLowerCase() + " intensity names its " + scope.name().toLowerCase());
        }
        if (scope == CarbonScope.SITE && !sites.containsKey(name)) {
            throw ApiProblemException.unprocessable("unknown_site", "No site '" + name
                    + "' is declared; sites and their nodes are set in tokenfactory.metering.energy.sites");
        }
        Instant from = effectiveFrom == null ? clock.instant() : effectiveFrom;
        if (from.isBefore(Instant.EPOCH) || from.isAfter(Instant.parse("9999-01-01T00:00:00Z"))) {
            throw ApiProblemException.unprocessable("invalid_effective_from",
                    "effectiveFrom must lie between 1970 and 9999");
        }
        if (meteredSince(scope, name, from)) {
            throw ApiProblemException.unprocessable("restates_the_past",
                    "Usage of " + describe(scope, name) + " from " + from
                            + " on is already metered with the intensity then in force; "
                            + "an intensity may only take effect after the last metered request it would cover");
        }
        CarbonIntensity intensity = new CarbonIntensity(UUID.randomUUID(), scope,
                scope == CarbonScope.FACTORY ? null : name, from, gramsPerKwh,
                source == null || source.isBlank() ? null : source.trim(), clock.instant());
        try {
            jdbc.update("""
                    INSERT INTO carbon_intensity (id, scope, target, effective_from, grams_per_kwh, source, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""", intensity.id(), scope.name(), name, Timestamp.from(from),
                    gramsPerKwh, intensity.source(), Timestamp.from(intensity.createdAt()));
        }
        catch (DuplicateKeyException exists) {
            throw ApiProblemException.conflict("carbon_intensity_exists",
                    "An intensity for " + describe(scope, name) + " is already effective from " + from);
        }
        audit.record("carbon-intensity.added", "carbon-intensity", intensity.id().toString(), null, null, intensity);
        return intensity;
    }

    @Transactional(readOnly = true)
    public List<CarbonIntensity> list() {
        return jdbc.query("""
                SELECT id, scope, target, effective_from, grams_per_kwh, source, created_at FROM carbon_intensity
                ORDER BY scope, target, effective_from""", (row, i) -> {
            CarbonScope scope = CarbonScope.valueOf(row.getString(2));
            return new CarbonIntensity(row.getObject(1, UUID.class), scope,
                    scope == CarbonScope.FACTORY ? null : row.getString(3), row.getTimestamp(4).toInstant(),
                    row.getBigDecimal(5), row.getString(6), row.getTimestamp(7).toInstant());
        });
    }

    /**
     * Every intensity as it stands, read in the caller's transaction (a small table):
     * each ingested batch prices its energy with the schedule committed when it began.
     */
    public CarbonSchedule schedule() {
        return new CarbonSchedule(list(), siteOfNode);
    }

    /** The declared sites and their nodes. */
    public Map<String, List<String>> sites() {
        return sites;
    }

    private boolean meteredSince(CarbonScope scope, String name, Instant from) {
        List<String> nodes = switch (scope) {
            case NODE -> List.of(name);
            case SITE -> sites.get(name);
            case FACTORY -> null;
        };
        return Boolean.TRUE.equals(jdbc.queryForObject("""
                SELECT EXISTS (SELECT 1 FROM usage_record WHERE occurred_at >= ?
                    AND (?::text[] IS NULL OR node = ANY (?::text[])))""", Boolean.class, Timestamp.from(from),
                nodes == null ? null : nodes.toArray(String[]::new),
                nodes == null ? null : nodes.toArray(String[]::new)));
    }

    private static String describe(CarbonScope scope, String name) {
        return scope == CarbonScope.FACTORY ? "the factory" : scope.name().toLowerCase() + " '" + name + "'";
    }

}
