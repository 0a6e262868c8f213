package io.tokenfactory.billing.focus;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.billing.charging.BillingPeriods;
import io.tokenfactory.billing.statement.Statements;
import io.tokenfactory.support.csv.Csv;
import io.tokenfactory.support.tags.CostTags;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import tools.jackson.databind.json.JsonMapper;

/**
 * A billing month's charges as FOCUS 1.2 rows: one per UTC day of use, department, model,
 * node, agent, API key, energy source, rate card, cost tags and month of use for usage,
 * and one per day and department for the idle capacity share. Every FOCUS column is
 * present (null where it does not apply); Token Factory's own columns follow with the
 * {@code x_} prefix. Amounts keep full precision, so BilledCost sums, rounded, to the
 * statement's total. A showback department's rows are costed the same and marked
 * {@code x_BillingMode = Showback}, with no invoice. A closed month names its departments
 * (and their mode and cost centre) as its statements do, whatever changed since.
 */
@Service
public class FocusExport {

    /** The FOCUS 1.2 columns, in the specification's alphabetical order. */
    public static final List<String> FOCUS_COLUMNS = List.of("AvailabilityZone", "BilledCost", "BillingAccountId",
            "BillingAccountName", "BillingAccountType", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
            "CapacityReservationId", "CapacityReservationStatus", "ChargeCategory", "ChargeClass", "ChargeDescription",
            "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountCategory",
            "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountQuantity", "CommitmentDiscountStatus",
            "CommitmentDiscountType", "CommitmentDiscountUnit", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
            "ContractedUnitPrice", "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost", "ListUnitPrice",
            "PricingCategory", "PricingCurrency", "PricingCurrencyContractedUnitPrice", "PricingCurrencyEffectiveCost",
            "PricingCurrencyListUnitPrice", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
            "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType", "ServiceCategory", "ServiceName",
            "ServiceSubcategory", "SkuId", "SkuMeter", "SkuPriceDetails", "SkuPriceId", "SubAccountId",
            "SubAccountName", "SubAccountType", "Tags");

    /** Token Factory's own columns, after the FOCUS ones. */
    public static final List<String> EXTENSION_COLUMNS = List.of("x_BillingMode", "x_CostCentre", "x_ServicePeriod",
            "x_Requests", "x_EnergyJoules", "x_EnergySource", "x_EmissionsGramsCo2e", "x_PlatformCost");

    static final String PLATFORM = "Token Factory";

    private static final BigDecimal JOULES_PER_KWH = BigDecimal.valueOf(3_600_000);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One FOCUS row before it is written. */
    private record Charge(Instant day, UUID department, @Nullable String departmentName, @Nullable String costCentre,
            String billingMode, @Nullable UUID statement, String servicePeriod, boolean idle, @Nullable String model,
            @Nullable String node, @Nullable UUID agent, @Nullable UUID apiKey, @Nullable String energySource,
            @Nullable UUID rateCard, @Nullable String tags, long requests, long tokens, BigDecimal joules,
            @Nullable BigDecimal emissions, BigDecimal listPrice, BigDecimal cost, BigDecimal charge) {
    }

    private final JdbcTemplate jdbc;

    private final BillingPeriods periods;

    FocusExport(JdbcTemplate jdbc, BillingPeriods periods) {
        this.jdbc = jdbc;
        this.periods = periods;
    }

    /**
     * @param department null: every department
     */
    @Transactional(readOnly = true)
    public String csv(YearMonth period, @Nullable UUID department) {
        String month = period.toString();
        List<Charge> charges = new ArrayList<>(jdbc.query("""
                SELECT date_trunc('day', c.occurred_at, 'UTC'), c.department_id,
                    coalesce(s.department_name, d.name), coalesce(s.cost_centre_code, d.cost_centre_code),
                    coalesce(s.billing_mode, d.billing_mode, 'CHARGEBACK'), s.id, c.service_period, c.model, c.node,
                    c.agent_id, c.api_key_id, c.energy_source, c.rate_card_id, c.tags, count(*),
                    sum(c.prompt_tokens + c.completion_tokens + c.embedding_tokens),
                    sum(c.direct_joules + c.overhead_joules), sum(c.emissions_grams), sum(c.list_price), sum(c.cost),
                    sum(c.charge)
                FROM usage_charge c
                LEFT JOIN department d ON d.id = c.department_id
                LEFT JOIN statement s ON s.department_id = c.department_id AND s.period = c.period
                WHERE c.period = ? AND (?::uuid IS NULL OR c.department_id = ?)
                GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
                ORDER BY 1, 2, 7, 8, 9, 10 NULLS FIRST, 11 NULLS FIRST, 12, 13 NULLS FIRST, 14 NULLS FIRST""",
                (row, i) -> usage(row), month, department, department));
        charges.addAll(jdbc.query("""
                SELECT date_trunc('day', e.hour_start, 'UTC'), e.department_id,
                    coalesce(s.department_name, d.name), coalesce(s.cost_centre_code, d.cost_centre_code),
                    coalesce(s.billing_mode, d.billing_mode, 'CHARGEBACK'), s.id, e.service_period,
                    sum(e.idle_joules + e.overhead_joules), sum(e.cost), sum(e.charge)
                FROM idle_charge_entry e
                LEFT JOIN department d ON d.id = e.department_id
                LEFT JOIN statement s ON s.department_id = e.department_id AND s.period = e.period
                WHERE e.period = ? AND (?::uuid IS NULL OR e.department_id = ?)
                GROUP BY 1, 2, 3, 4, 5, 6, 7
                ORDER BY 1, 2, 7""", (row, i) -> idle(row), month, department, department));
        Csv csv = new Csv();
        List<String> header = new ArrayList<>(FOCUS_COLUMNS);
        header.addAll(EXTENSION_COLUMNS);
        csv.row(header);
        Instant billingStart = periods.start(period);
        Instant billingEnd = periods.end(period);
        for (Charge charge : charges) {
            csv.row(row(charge, billingStart, billingEnd));
        }
        return csv.toString();
    }

    private List<@Nullable Object> row(Charge c, Instant billingStart, Instant billingEnd) {
        Map<String, @Nullable Object> columns = new LinkedHashMap<>();
        FOCUS_COLUMNS.forEach(column -> columns.put(column, null));
        boolean showback = "SHOWBACK".equals(c.billingMode());
        boolean lateUsage = !c.servicePeriod().equals(YearMonth.from(billingStart.atZone(periods.zone())).toString());
        String label = Statements.label(c.energySource());
        columns.put("BilledCost", c.charge());
        columns.put("BillingAccountId", "token-factory");
        columns.put("BillingAccountName", PLATFORM);
        columns.put("BillingAccountType", "Internal AI platform");
        columns.put("BillingCurrency", periods.currency());
        columns.put("BillingPeriodEnd", billingEnd);
        columns.put("BillingPeriodStart", billingStart);
        columns.put("ChargeCategory", "Usage");
        // usage of an earlier month, billed in this one after that month was closed
        columns.put("ChargeClass", lateUsage ? "Correction" : null);
        columns.put("ChargeDescription",
                c.idle() ? "Share of idle AI capacity and its energy (" + c.servicePeriod() + ")"
                        : "Inference on " + c.model() + " at node " + c.node() + ", energy " + label);
        columns.put("ChargeFrequency", "Usage-Based");
        columns.put("ChargePeriodEnd", c.day().plus(1, ChronoUnit.DAYS));
        columns.put("ChargePeriodStart", c.day());
        columns.put("ConsumedQuantity", c.idle() ? kwh(c.joules()) : BigDecimal.valueOf(c.tokens()));
        columns.put("ConsumedUnit", c.idle() ? "kWh" : "Tokens");
        columns.put("ContractedCost", c.charge());
        columns.put("EffectiveCost", c.charge());
        columns.put("InvoiceId", showback || c.statement() == null ? null : c.statement().toString());
        columns.put("InvoiceIssuerName", PLATFORM);
        columns.put("ListCost", c.idle() ? c.charge() : c.listPrice());
        columns.put("PricingCategory", "Standard");
        columns.put("PricingCurrency", periods.currency());
        columns.put("PricingCurrencyEffectiveCost", c.charge());
        columns.put("PricingQuantity", c.idle() ? kwh(c.joules()) : BigDecimal.valueOf(c.tokens()));
        columns.put("PricingUnit", c.idle() ? "kWh" : "Tokens");
        columns.put("ProviderName", PLATFORM);
        columns.put("PublisherName", PLATFORM);
        columns.put("ResourceId", c.idle() ? null : c.node() + "/" + c.model());
        columns.put("ResourceName", c.idle() ? null : c.model() + " on " + c.node());
        columns.put("ResourceType", c.idle() ? null : "Model deployment");
        columns.put("ServiceCategory", "AI and Machine Learning");
        columns.put("ServiceName", c.idle() ? "Token Factory capacity" : "Token Factory inference");
        columns.put("ServiceSubcategory", c.idle() ? "AI Platforms" : "Generative AI");
        columns.put("SkuId", c.idle() ? "idle-capacity" : c.model());
        columns.put("SkuMeter", c.idle() ? "Idle energy" : "Tokens");
        columns.put("SkuPriceId", c.rateCard() == null ? null : c.rateCard().toString());
        columns.put("SubAccountId", c.department().toString());
        columns.put("SubAccountName", c.departmentName());
        columns.put("SubAccountType", "Department");
        columns.put("Tags", tags(c, label));
        List<@Nullable Object> cells = new ArrayList<>(columns.values());
        cells.addAll(Arrays.asList(showback ? "Showback" : "Chargeback", c.costCentre(), c.servicePeriod(),
                c.requests(), c.joules(), c.energySource(), c.emissions(), c.cost()));
        return cells;
    }

    /**
     * Provider-defined tags, prefixed {@code tokenfactory/} as FOCUS asks of a provider's
     * own keys; values are strings, so a FinOps tool reads them the same everywhere.
     */
    private static String tags(Charge c, String label) {
        // the department's own tags (team, project, allowed keys) unprefixed: FOCUS's
        // user-defined tags
        Map<String, String> tags = new LinkedHashMap<>(CostTags.fromJson(c.tags()));
        if (c.agent() != null) {
            tags.put("tokenfactory/agent", c.agent().toString());
        }
        if (c.apiKey() != null) {
            tags.put("tokenfactory/key", c.apiKey().toString());
        }
        if (c.energySource() != null) {
            tags.put("tokenfactory/energy-source", c.energySource());
            tags.put("tokenfactory/energy", label);
        }
        tags.put("tokenfactory/joules", c.joules().toPlainString());
        if (c.emissions() != null) {
            tags.put("tokenfactory/gco2e", c.emissions().toPlainString());
        }
        tags.put("tokenfactory/billing-mode", "SHOWBACK".equals(c.billingMode()) ? "showback" : "chargeback");
        return JSON.writeValueAsString(tags);
    }

    private static BigDecimal kwh(BigDecimal joules) {
        return joules.divide(JOULES_PER_KWH, 12, RoundingMode.HALF_EVEN);
    }

    private static Charge usage(ResultSet row) throws SQLException {
        return new Charge(row.getTimestamp(1).toInstant(), row.getObject(2, UUID.class), row.getString(3),
                row.getString(4), row.getString(5), row.getObject(6, UUID.class), row.getString(7), false,
                row.getString(8), row.getString(9), row.getObject(10, UUID.class), row.getObject(11, UUID.class),
                row.getString(12), row.getObject(13, UUID.class), row.getString(14), row.getLong(15), row.getLong(16),
                row.getBigDecimal(17), row.getBigDecimal(18), row.getBigDecimal(19), row.getBigDecimal(20),
                row.getBigDecimal(21));
    }

    private static Charge idle(ResultSet row) throws SQLException {
        BigDecimal cost = row.getBigDecimal(9);
        return new Charge(row.getTimestamp(1).toInstant(), row.getObject(2, UUID.class), row.getString(3),
                row.getString(4), row.getString(5), row.getObject(6, UUID.class), row.getString(7), true, null, null,
                null, null, null, null, null, 0, 0, row.getBigDecimal(8), null, BigDecimal.ZERO, cost,
                row.getBigDecimal(10));
    }

}
