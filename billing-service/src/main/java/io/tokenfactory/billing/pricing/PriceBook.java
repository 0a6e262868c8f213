package io.tokenfactory.billing.pricing;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.billing.BillingProperties;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The prices billing charges with: the models it can price, their effective-dated rate
 * cards, and the effective-dated energy tariff. Nothing here is ever updated: a new price
 * is a new entry from its date on, and an entry may not start before usage already
 * charged (it would reprice the past).
 */
@Service
public class PriceBook {

    public enum Task {

        GENERATION, EMBEDDING

    }

    public record PricedModel(String name, Task task, Instant createdAt) {
    }

    public record RateCard(UUID id, String model, Instant effectiveFrom, BigDecimal promptPerMillion,
            BigDecimal completionPerMillion, BigDecimal embeddingPerMillion, Instant createdAt) {
    }

    /**
     * @param bands time-of-use prices within the day (billing time zone); outside them
     * the tariff's own price
     */
    public record Tariff(UUID id, Instant effectiveFrom, BigDecimal pricePerKwh, List<Band> bands, Instant createdAt) {

        public Tariff {
            bands = bands == null ? List.of() : List.copyOf(bands);
        }
    }

    /**
     * From {@code startsAt} (inclusive) to {@code endsAt} (exclusive), local time; may
     * wrap midnight.
     */
    public record Band(LocalTime startsAt, LocalTime endsAt, BigDecimal pricePerKwh) {

        boolean covers(LocalTime time) {
            return startsAt.isBefore(endsAt) ? !time.isBefore(startsAt) && time.isBefore(endsAt)
                    : !time.isBefore(startsAt) || time.isBefore(endsAt);
        }
    }

    /** Nodes not assigned to a class belong to this one. */
    public static final String DEFAULT_NODE_CLASS = "default";

    public record NodeClass(String node, String nodeClass) {
    }

    public record CapacityRate(UUID id, String nodeClass, Instant effectiveFrom, BigDecimal costPerAcceleratorHour,
            Instant createdAt) {
    }

    /**
     * Advisory lock: charging holds it shared while it prices, a price change exclusively
     * while it checks and adds.
     */
    private static final long PRICE_LOCK = 0x7466_7072_6963_65L;

    private final JdbcTemplate jdbc;

    private final Clock clock;

    private final ZoneId zone;

    private final AuditTrail audit;

    PriceBook(JdbcTemplate jdbc, Clock clock, BillingProperties properties, AuditTrail audit) {
        this.audit = audit;
        this.jdbc = jdbc;
        this.clock = clock;
        this.zone = properties.billingTimeZone();
    }

    /** Called by charging inside its transaction, before it reads prices. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void lockForCharging() {
        jdbc.query("SELECT pg_advisory_xact_lock_shared(?)", row -> {
        }, PRICE_LOCK);
    }

    /** Prices start between 1970 and 9999, what PostgreSQL and every client can hold. */
    static Instant plausible(Instant effectiveFrom) {
        if (effectiveFrom.isBefore(Instant.EPOCH) || effectiveFrom.isAfter(Instant.parse("9999-01-01T00:00:00Z"))) {
            throw new ApiProblemException(HttpStatus.BAD_REQUEST, "invalid_parameter", "Invalid parameter",
                    "effectiveFrom must lie between 1970 and 9999");
        }
        return effectiveFrom;
    }

    private void lockForChange() {
        jdbc.query("SELECT pg_advisory_xact_lock(?)", row -> {
        }, PRICE_LOCK);
    }

    @Transactional
    public PricedModel registerModel(String name, Task task) {
        PricedModel model = new PricedModel(name.strip(), task, clock.instant());
        try {
            jdbc.update("INSERT INTO priced_model (name, task, created_at) VALUES (?, ?, ?)", model.name(), task.name(),
                    Timestamp.from(model.createdAt()));
        }
        catch (DuplicateKeyException exists) {
            throw ApiProblemException.conflict("model_exists",
                    "The model '" + model.name() + "' is already registered");
        }
        audit.record("price.model-registered", "model", model.name(), null, null, model);
        return model;
    }

    @Transactional(readOnly = true)
    public List<PricedModel> models() {
        return jdbc.query("SELECT name, task, created_at FROM priced_model ORDER BY name",
                (row, i) -> new PricedModel(row.getString(1), Task.valueOf(row.getString(2)),
                        row.getTimestamp(3).toInstant()));
    }

    @Transactional
    public RateCard addRateCard(String model, Instant effectiveFrom, BigDecimal promptPerMillion,
            BigDecimal completionPerMillion, BigDecimal embeddingPerMillion) {
        Instant from = effectiveFrom == null ? clock.instant() : plausible(effectiveFrom);
        Integer known = jdbc.queryForObject("SELECT count(*) FROM priced_model WHERE name = ?", Integer.class, model);
        if (known == null || known == 0) {
            throw ApiProblemException.unprocessable("unknown_model",
                    "No model '" + model + "' is registered; register it first (POST /api/billing/models)");
        }
        // no charge in flight: it would be priced without this card, yet the check below
        // could not see it
        lockForChange();
        if (Boolean.TRUE.equals(
                jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM usage_charge WHERE model = ? AND occurred_at >= ?)",
                        Boolean.class, model, Timestamp.from(from)))) {
            throw ApiProblemException.unprocessable("reprices_the_past", "Usage of '" + model + "' from " + from
                    + " on is already charged; a rate card may only start after it");
        }
        RateCard card = new RateCard(UUID.randomUUID(), model, from, promptPerMillion, completionPerMillion,
                embeddingPerMillion, clock.instant());
        try {
            jdbc.update("""
                    INSERT INTO rate_card (id, model, effective_from, prompt_per_million, completion_per_million,
                        embedding_per_million, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)""", card.id(), model,
                    Timestamp.from(from), promptPerMillion, completionPerMillion, embeddingPerMillion,
                    Timestamp.from(card.createdAt()));
        }
        catch (DuplicateKeyException overlapping) {
            throw ApiProblemException.conflict("rate_card_exists",
                    "'" + model + "' already has a rate card effective from " + from + "; effective dates must differ");
        }
        audit.record("price.rate-card-added", "rate_card", card.id(), null, null, card);
        return card;
    }

    @Transactional(readOnly = true)
    public List<RateCard> rateCards(String model) {
        return jdbc.query("""
                SELECT id, model, effective_from, prompt_per_million, completion_per_million, embedding_per_million,
                    created_at FROM rate_card WHERE (?::text IS NULL OR model = ?) ORDER BY model, effective_from""",
                PriceBook::rateCard, model, model);
    }

    @Transactional
    public Tariff addTariff(Instant effectiveFrom, BigDecimal pricePerKwh, List<Band> bands) {
        List<Band> checked = checkedBands(bands);
        Instant from = effectiveFrom == null ? clock.instant() : plausible(effectiveFrom);
        // one price change at a time, no charge in flight, and none that would reprice
        // energy already charged
        lockForChange();
        if (Boolean.TRUE.equals(jdbc.queryForObject("""
                SELECT EXISTS (SELECT 1 FROM usage_charge WHERE occurred_at >= ?)
                    OR EXISTS (SELECT 1 FROM idle_charge WHERE hour_start >= ?)""", Boolean.class, Timestamp.from(from),
                Timestamp.from(from)))) {
            throw ApiProblemException.unprocessable("reprices_the_past",
                    "Energy from " + from + " on is already charged; a tariff may only start after it");
        }
        Tariff tariff = new Tariff(UUID.randomUUID(), from, pricePerKwh, checked, clock.instant());
        try {
            jdbc.update("INSERT INTO energy_tariff (id, effective_from, price_per_kwh, created_at) VALUES (?, ?, ?, ?)",
                    tariff.id(), Timestamp.from(from), pricePerKwh, Timestamp.from(tariff.createdAt()));
        }
        catch (DuplicateKeyException overlapping) {
            throw ApiProblemException.conflict("tariff_exists", "A tariff is already effective from " + from);
        }
        for (Band band : checked) {
            jdbc.update(
                    "INSERT INTO energy_tariff_band (tariff_id, starts_at, ends_at, price_per_kwh) VALUES (?, ?, ?, ?)",
                    tariff.id(), band.startsAt(), band.endsAt(), band.pricePerKwh());
        }
        audit.record("price.tariff-added", "energy_tariff", tariff.id(), null, null, tariff);
        return tariff;
    }

    @Transactional(readOnly = true)
    public List<Tariff> tariffs() {
        Map<UUID, List<Band>> bands = new HashMap<>();
        jdbc.query("SELECT tariff_id, starts_at, ends_at, price_per_kwh FROM energy_tariff_band ORDER BY starts_at",
                row -> {
                    bands.computeIfAbsent(row.getObject(1, UUID.class), id -> new ArrayList<>())
                        .add(new Band(row.getObject(2, LocalTime.class), row.getObject(3, LocalTime.class),
                                row.getBigDecimal(4)));
                });
        return jdbc.query(
                "SELECT id, effective_from, price_per_kwh, created_at FROM energy_tariff ORDER BY effective_from",
                (row, i) -> new Tariff(row.getObject(1, UUID.class), row.getTimestamp(2).toInstant(),
                        row.getBigDecimal(3), bands.get(row.getObject(1, UUID.class)),
                        row.getTimestamp(4).toInstant()));
    }

    /**
     * A tariff's bands as given (none when absent), each one a real span and no two
     * overlapping.
     */
    static List<Band> checkedBands(List<Band> bands) {
        List<Band> checked = bands == null ? List.of() : bands;
        for (int i = 0; i < checked.size(); i++) {
            Band band = checked.get(i);
            if (band.startsAt().equals(band.endsAt())) {
                throw ApiProblemException.unprocessable("invalid_band",
                        "a band must end at another time than it starts");
            }
            for (int j = 0; j < i; j++) {
                if (overlap(band, checked.get(j))) {
                    throw ApiProblemException.unprocessable("overlapping_bands",
                            "time-of-use bands " + checked.get(j) + " and " + band + " overlap");
                }
            }
        }
        return checked;
    }

    private static boolean overlap(Band a, Band b) {
        return a.covers(b.startsAt()) || b.covers(a.startsAt());
    }

    /**
     * Puts a node in a class (its accelerators then cost that class's rate from the next
     * charge on).
     */
    @Transactional
    public NodeClass assignNode(String node, String nodeClass) {
        NodeClass before = jdbc
            .query("SELECT node, node_class FROM node_class WHERE node = ? FOR UPDATE",
                    (row, i) -> new NodeClass(row.getString(1), row.getString(2)), node)
            .stream()
            .findFirst()
            .orElse(null);
        jdbc.update("""
                INSERT INTO node_class (node, node_class, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (node) DO UPDATE SET node_class = excluded.node_class, updated_at = excluded.updated_at""",
                node, nodeClass, Timestamp.from(clock.instant()));
        NodeClass after = new NodeClass(node, nodeClass);
        audit.record("price.node-assigned", "node", node, null, before, after);
        return after;
    }

    @Transactional(readOnly = true)
    public List<NodeClass> nodeClasses() {
        return jdbc.query("SELECT node, node_class FROM node_class ORDER BY node",
                (row, i) -> new NodeClass(row.getString(1), row.getString(2)));
    }

    @Transactional
    public CapacityRate addCapacityRate(String nodeClass, Instant effectiveFrom, BigDecimal costPerAcceleratorHour) {
        Instant from = effectiveFrom == null ? clock.instant() : plausible(effectiveFrom);
        lockForChange();
        // the class a charge was priced at: the one its node declared, else billing's
        // assignment, else the default
        if (Boolean.TRUE.equals(jdbc.queryForObject("""
                SELECT EXISTS (SELECT 1 FROM usage_charge u LEFT JOIN node_class n ON n.node = u.node
                    WHERE COALESCE(NULLIF(u.node_class, ''), n.node_class, ?) = ? AND u.occurred_at >= ?)
                    OR EXISTS (SELECT 1 FROM idle_charge_node WHERE node_class = ? AND hour_start >= ?)""",
                Boolean.class, DEFAULT_NODE_CLASS, nodeClass, Timestamp.from(from), nodeClass, Timestamp.from(from)))) {
            throw ApiProblemException.unprocessable("reprices_the_past", "Accelerator time of class '" + nodeClass
                    + "' from " + from + " on is already charged; a capacity rate may only start after it");
        }
        CapacityRate rate = new CapacityRate(UUID.randomUUID(), nodeClass, from, costPerAcceleratorHour,
                clock.instant());
        try {
            jdbc.update("""
                    INSERT INTO capacity_rate (id, node_class, effective_from, cost_per_accelerator_hour, created_at)
                    VALUES (?, ?, ?, ?, ?)""", rate.id(), nodeClass, Timestamp.from(from), costPerAcceleratorHour,
                    Timestamp.from(rate.createdAt()));
        }
        catch (DuplicateKeyException overlapping) {
            throw ApiProblemException.conflict("capacity_rate_exists",
                    "Class '" + nodeClass + "' already has a capacity rate effective from " + from);
        }
        audit.record("price.capacity-rate-added", "capacity_rate", rate.id(), null, null, rate);
        return rate;
    }

    @Transactional(readOnly = true)
    public List<CapacityRate> capacityRates() {
        return jdbc.query("""
                SELECT id, node_class, effective_from, cost_per_accelerator_hour, created_at FROM capacity_rate
                ORDER BY node_class, effective_from""",
                (row, i) -> new CapacityRate(row.getObject(1, UUID.class), row.getString(2),
                        row.getTimestamp(3).toInstant(), row.getBigDecimal(4), row.getTimestamp(5).toInstant()));
    }

    /** Every price, read once, to price a whole batch in memory. */
    @Transactional(readOnly = true)
    public Prices snapshot() {
        return new Prices(models(), rateCards(null), tariffs(), nodeClasses(), capacityRates(), zone);
    }

    private static RateCard rateCard(ResultSet row, int index) throws SQLException {
        return new RateCard(row.getObject(1, UUID.class), row.getString(2), row.getTimestamp(3).toInstant(),
                row.getBigDecimal(4), row.getBigDecimal(5), row.getBigDecimal(6), row.getTimestamp(7).toInstant());
    }

}
