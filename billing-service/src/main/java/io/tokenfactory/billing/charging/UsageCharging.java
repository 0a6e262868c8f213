package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.micrometer.tracing.Span;
import io.tokenfactory.billing.pricing.PriceBook.RateCard;
import io.tokenfactory.billing.pricing.Prices;
import io.tokenfactory.contracts.UsageMetered;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.support.events.RejectedEventException;
import io.tokenfactory.support.jdbc.BatchStatement;
import io.tokenfactory.support.tags.CostTags;
import io.tokenfactory.support.tracing.Traces;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Prices metered usage exactly once: each usage record becomes one {@code usage_charge}
 * row keyed by its usage event id (a redelivered or regrouped {@code usage-metered} event
 * changes nothing), priced with the rate card and tariff in force when the request
 * happened, and the department's spend moves by what was new — all in one transaction.
 */
@Service
public class UsageCharging {

    /**
     * One usage record priced: its tokens by kind, the card used, its list price, cost
     * and charge.
     */
    record Line(UsageMetered.Item item, YearMonth servicePeriod, long promptTokens, long embeddingTokens, RateCard card,
            BigDecimal listPrice, BigDecimal energyCost, BigDecimal capacityCost, BigDecimal charge) {

        BigDecimal cost() {
            return energyCost.add(capacityCost);
        }
    }

    private final JdbcTemplate jdbc;

    private final Tariffing tariffing;

    private final BillingPeriods periods;

    private final OpenPeriods openPeriods;

    private final ChargeRollup rollup;

    private final SpendLedger ledger;

    private final Clock clock;

    private final Traces traces;

    UsageCharging(JdbcTemplate jdbc, Tariffing tariffing, BillingPeriods periods, OpenPeriods openPeriods,
            ChargeRollup rollup, SpendLedger ledger, Clock clock, Traces traces) {
        this.traces = traces;
        this.jdbc = jdbc;
        this.tariffing = tariffing;
        this.periods = periods;
        this.openPeriods = openPeriods;
        this.rollup = rollup;
        this.ledger = ledger;
        this.clock = clock;
    }

    /**
     * @return how many usage records were charged now (the rest had been charged before)
     */
    @Transactional
    public int charge(UsageMetered metered) {
        validate(metered);
        Tariffing.Terms terms = tariffing.termsFor(metered.departmentId());
        long startedMicros = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
        List<Line> lines = new ArrayList<>();
        for (UsageMetered.Item item : metered.items()) {
            lines.add(price(item, terms, periods));
        }
        // keys taken in one order by every consumer: two batches holding the same records
        // never deadlock
        lines.sort(Comparator.comparing(line -> line.item().usage().eventId()));
        Instant now = clock.instant();
        // usage of a closed month is billed in the next open one (an adjustment on its
        // statement)
        Map<YearMonth, YearMonth> billedIn = new TreeMap<>();
        lines.forEach(line -> billedIn.computeIfAbsent(line.servicePeriod(), openPeriods::billedPeriodFor));
        Set<UUID> fresh = new HashSet<>(BatchStatement.of(lines)
            .uuid(line -> line.item().usage().eventId())
            .uuid(line -> metered.departmentId())
            .text(line -> billedIn.get(line.servicePeriod()).toString())
            .text(line -> line.servicePeriod().toString())
            .timestamp(line -> line.item().usage().occurredAt())
            .uuid(line -> line.item().usage().agentId())
            .uuid(line -> line.item().usage().agentRunId())
            .text(line -> line.item().usage().model())
            .text(line -> line.item().usage().node())
            .text(line -> line.item().usage().energySource().name())
            .text(line -> line.item().usage().nodeClass())
            .int8(Line::promptTokens)
            .int8(line -> line.item().usage().completionTokens())
            .int8(Line::embeddingTokens)
            .numeric(line -> line.item().directEnergyJoules())
            .numeric(line -> line.item().facilityOverheadJoules())
            .numeric(line -> seconds(line.item().usage()))
            .uuid(line -> line.card() == null ? null : line.card().id())
            .numeric(Line::listPrice)
            .numeric(Line::cost)
            .numeric(Line::energyCost)
            .numeric(Line::capacityCost)
            .numeric(Line::charge)
            .uuid(line -> line.item().usage().apiKeyId())
            .text(line -> line.item().usage().endUser())
            .numeric(line -> line.item().emissionsGrams())
            .text(line -> line.item().usage().tag(CostTags.TEAM))
            .text(line -> line.item().usage().tag(CostTags.PROJECT))
            .text(line -> CostTags.json(line.item().usage().tags()))
            .query(jdbc, """
                    INSERT INTO usage_charge (charged_at, usage_event_id, department_id, period, service_period,
                        occurred_at, agent_id, agent_run_id, model, node, energy_source, node_class, prompt_tokens,
                        completion_tokens, embedding_tokens, direct_joules, overhead_joules, accelerator_seconds,
                        rate_card_id, list_price, cost, energy_cost, capacity_cost, charge, api_key_id, end_user,
                        emissions_grams, team, project, tags)
                    SELECT ?, * FROM unnest(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                        ?, ?, ?, ?)
                    ON CONFLICT (usage_event_id) DO NOTHING
                    RETURNING usage_event_id""", (row, i) -> row.getObject(1, UUID.class), Timestamp.from(now)));
        int charged = fresh.size();
        Set<UUID> chargedNow = Set.copyOf(fresh);
        Map<YearMonth, BigDecimal[]> byPeriod = new TreeMap<>();
        Map<ChargeRollup.Key, ChargeRollup.Sums> rolledUp = new HashMap<>();
        for (Line line : lines) {
            if (fresh.remove(line.item().usage().eventId())) {
                YearMonth billed = billedIn.get(line.servicePeriod());
                BigDecimal[] sums = byPeriod.computeIfAbsent(billed,
                        p -> new BigDecimal[] { BigDecimal.ZERO, BigDecimal.ZERO });
                sums[0] = sums[0].add(line.charge());
                sums[1] = sums[1].add(line.cost());
                UsageRecorded usage = line.item().usage();
                ChargeRollup.Sums row = rolledUp
                    .computeIfAbsent(
                            ChargeRollup.Key.of(metered.departmentId(), billed, line.servicePeriod(), false,
                                    usage.model(), usage.agentId(), usage.energySource().name()),
                            key -> new ChargeRollup.Sums());
                row.requests++;
                row.promptTokens += line.promptTokens();
                row.completionTokens += usage.completionTokens();
                row.embeddingTokens += line.embeddingTokens();
                row.directJoules = row.directJoules.add(line.item().directEnergyJoules());
                row.overheadJoules = row.overheadJoules.add(line.item().facilityOverheadJoules());
                row.cost = row.cost.add(line.cost());
                row.charge = row.charge.add(line.charge());
                if (line.item().emissionsGrams() != null) {
                    row.emissionsGrams = row.emissionsGrams.add(line.item().emissionsGrams());
                }
            }
        }
        rollup.add(rolledUp);
        byPeriod.forEach((period, sums) -> ledger.add(metered.departmentId(), period, sums[0], sums[1]));
        traceCharged(metered, lines, chargedNow, startedMicros);
        return charged;
    }

    /**
     * Each record's request trace gets a span for its charge, below metering's; it ends
     * with the transaction.
     */
    private void traceCharged(UsageMetered metered, List<Line> lines, Set<UUID> chargedNow, long startedMicros) {
        List<Span> spans = new ArrayList<>();
        for (Line line : lines) {
            UsageRecorded usage = line.item().usage();
            String parent = line.item().traceparent() != null ? line.item().traceparent() : usage.traceparent();
            if (parent == null || !chargedNow.contains(usage.eventId())) {
                continue;
            }
            Span span = traces.continued(parent, "charge usage", startedMicros);
            spans.add(span.tag(Traces.DEPARTMENT, metered.departmentId().toString())
                .tag(Traces.MODEL, usage.model())
                .tag(Traces.REQUEST, String.valueOf(usage.requestId()))
                .tag("tokenfactory.charge", line.charge().toPlainString())
                .tag("tokenfactory.cost", line.cost().toPlainString()));
        }
        if (!spans.isEmpty()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    spans.forEach(span -> {
                        if (status != STATUS_COMMITTED) {
                            span.tag("tokenfactory.outcome", "rolled back");
                        }
                        span.end();
                    });
                }
            });
        }
    }

    /**
     * Prices one record at the prices in force when it happened: an embedding model's
     * input tokens are embedding tokens; energy is its direct joules plus the facility's
     * overhead at the tariff; accelerator time is at the capacity rate of its node's
     * class; the charge is the list price or cost plus margin, by the department's terms.
     */
    static Line price(UsageMetered.Item item, Tariffing.Terms terms, BillingPeriods periods) {
        Prices prices = terms.prices();
        UsageRecorded usage = item.usage();
        boolean embedding = prices.isEmbedding(usage.model());
        long prompt = embedding ? 0 : usage.promptTokens();
        long embeddingTokens = embedding ? usage.promptTokens() : 0;
        RateCard card = prices.rateCardAt(usage.model(), usage.occurredAt()).orElse(null);
        if (card == null && !terms.costPlus()) {
            // charged at 0 it could never be repriced (a later card may not reach back):
            // park it until a card exists
            throw new RejectedEventException("no rate card for model '" + usage.model() + "' in force at "
                    + usage.occurredAt() + "; add one effective from that time and replay this dead letter");
        }
        BigDecimal listPrice = card == null ? BigDecimal.ZERO.setScale(Prices.SCALE)
                : Prices.listPrice(card, prompt, usage.completionTokens(), embeddingTokens);
        BigDecimal energyCost = prices.energyCost(item.directEnergyJoules().add(item.facilityOverheadJoules()),
                usage.occurredAt());
        BigDecimal capacityCost = prices.capacityCost(usage.node(), usage.nodeClass(), seconds(usage),
                usage.occurredAt());
        BigDecimal charge = terms.charge(listPrice, energyCost.add(capacityCost));
        return new Line(item, periods.periodOf(usage.occurredAt()), prompt, embeddingTokens, card, listPrice,
                energyCost, capacityCost, charge);
    }

    static BigDecimal seconds(UsageRecorded usage) {
        return new BigDecimal(Double.toString(usage.acceleratorSeconds())).setScale(9, RoundingMode.HALF_EVEN);
    }

    static void validate(UsageMetered metered) {
        if (metered.departmentId() == null || metered.items() == null || metered.items().isEmpty()) {
            throw new RejectedEventException("usage-metered event without department or items");
        }
        for (UsageMetered.Item item : metered.items()) {
            UsageRecorded usage = item.usage();
            if (usage == null || usage.eventId() == null || usage.occurredAt() == null || usage.model() == null
                    || usage.node() == null || usage.energySource() == null
                    || !metered.departmentId().equals(usage.departmentId())) {
                throw new RejectedEventException("usage-metered item lacks its usage, id, time, model, node or energy "
                        + "source, or belongs to another department");
            }
            if (usage.promptTokens() < 0 || usage.completionTokens() < 0 || item.directEnergyJoules() == null
                    || item.facilityOverheadJoules() == null || !Limits.plausibleJoules(item.directEnergyJoules())
                    || !Limits.plausibleJoules(item.facilityOverheadJoules())
                    || !Limits.plausibleSeconds(usage.acceleratorSeconds()) || !Limits.plausibleTime(usage.occurredAt())
                    || usage.model().length() > 200 || usage.node().length() > 200
                    || (usage.nodeClass() != null && usage.nodeClass().length() > 64)
                    || (usage.endUser() != null && usage.endUser().length() > 256)
                    || usage.tags().size() > CostTags.MAX_TAGS
                    || usage.tags()
                        .values()
                        .stream()
                        .anyMatch(
                                value -> value == null || value.isEmpty() || value.length() > CostTags.MAX_VALUE_LENGTH)
                    || (item.emissionsGrams() != null && (item.emissionsGrams().signum() < 0
                            || !Limits.plausibleJoules(item.emissionsGrams())))) {
                throw new RejectedEventException("usage-metered item with negative or impossible tokens, energy, "
                        + "emissions, accelerator time, time or names");
            }
        }
    }

}
