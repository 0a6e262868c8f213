package io.tokenfactory.metering.usage;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Span;
import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageMetered;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.support.jdbc.BatchStatement;
import io.tokenfactory.support.tags.CostTags;
import io.tokenfactory.support.tracing.Traces;
import io.tokenfactory.metering.carbon.CarbonIntensities;
import io.tokenfactory.metering.carbon.CarbonSchedule;
import io.tokenfactory.metering.energy.FacilityOverhead;
import io.tokenfactory.metering.energy.NodeHours;
import io.tokenfactory.metering.energy.NodeHours.NodeHour;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Takes in a batch of usage records exactly once, in one transaction: the records go into
 * the raw table, where the key (event id, occurred at) skips any already there (a
 * redelivery or a resend carries both unchanged); the new ones' sums go into the hourly
 * and daily rollups and their node-hours, and one {@code usage-metered} event per
 * department into the outbox. The broker's acknowledgement follows the commit, so a crash
 * at any point redelivers the batch and changes nothing twice.
 */
@Service
public class UsageIngestion {

    public record Result(int ingested, int duplicates) {
    }

    private final JdbcTemplate jdbc;

    private final UsageRollups rollups;

    private final NodeHours nodeHours;

    private final FacilityOverhead facility;

    private final ApplicationEventPublisher events;

    private final Clock clock;

    private final MeterRegistry meters;

    private final Counter ingested;

    private final Counter duplicates;

    private final DistributionSummary lag;

    private final Traces traces;

    private final CarbonIntensities carbon;

    UsageIngestion(JdbcTemplate jdbc, UsageRollups rollups, NodeHours nodeHours, FacilityOverhead facility,
            ApplicationEventPublisher events, Clock clock, MeterRegistry meters, Traces traces,
            CarbonIntensities carbon) {
        this.jdbc = jdbc;
        this.carbon = carbon;
        this.traces = traces;
        this.rollups = rollups;
        this.nodeHours = nodeHours;
        this.facility = facility;
        this.events = events;
        this.clock = clock;
        this.meters = meters;
        this.ingested = Counter.builder("tokenfactory.metering.usage.events")
            .tag("result", "ingested")
            .description("usage-recorded events ingested")
            .register(meters);
        this.duplicates = Counter.builder("tokenfactory.metering.usage.events")
            .tag("result", "duplicate")
            .description("usage-recorded events skipped as redeliveries")
            .register(meters);
        this.lag = DistributionSummary.builder("tokenfactory.metering.ingestion.lag")
            .baseUnit("seconds")
            .description("from a request's end to its usage being committed in metering")
            .publishPercentiles(0.5, 0.99)
            .register(meters);
    }

    @Transactional
    public Result ingest(List<UsageRecorded> batch) {
        Instant receivedAt = clock.instant();
        Map<UUID, BigDecimal> emissions = emissions(batch, carbon.schedule(), facility);
        Set<UUID> fresh = insertNew(batch, receivedAt, emissions);
        List<UsageRecorded> records = new ArrayList<>(fresh.size());
        for (UsageRecorded record : batch) {
            // a batch may hold the same event twice: only its first copy counts
            if (fresh.remove(record.eventId())) {
                records.add(record);
            }
        }
        int skipped = batch.size() - records.size();
        Map<UUID, Span> spans = spans(records);
        if (!records.isEmpty()) {
            rollups.add(records, emissions);
            nodeHours.addDirect(directEnergyByNodeHour(records));
            publishMetered(records, receivedAt, spans, emissions);
        }
        afterCommit(records, skipped);
        endAfterCompletion(spans.values());
        return new Result(records.size(), skipped);
    }

    /**
     * Each record's location-based emissions, by event id: its direct energy and the
     * facility's overhead on it, at the carbon intensity of its node when it happened.
     * None for a record without an energy figure or without an intensity in force.
     */
    static Map<UUID, BigDecimal> emissions(List<UsageRecorded> batch, CarbonSchedule schedule,
            FacilityOverhead facility) {
        Map<UUID, BigDecimal> emissions = new HashMap<>();
        if (schedule.isEmpty()) {
            return emissions;
        }
        for (UsageRecorded record : batch) {
            if (record.energySource() == EnergySource.NONE) {
                continue;
            }
            BigDecimal direct = UsageAmounts.energyJoules(record);
            BigDecimal joules = direct.add(facility.overheadJoules(direct, record.occurredAt()));
            BigDecimal grams = schedule.emissionsGrams(record.node(), record.occurredAt(), joules);
            if (grams != null) {
                emissions.put(record.eventId(), grams);
            }
        }
        return emissions;
    }

    /** Inserts the records not yet metered; returns their event ids. */
    private Set<UUID> insertNew(List<UsageRecorded> batch, Instant receivedAt, Map<UUID, BigDecimal> emissions) {
        // one copy per event id, and keys taken in one order by every consumer: two
        // batches holding the same
        // redelivered events never deadlock
        Map<UUID, UsageRecorded> byId = new TreeMap<>();
        batch.forEach(record -> byId.putIfAbsent(record.eventId(), record));
        List<UsageRecorded> records = new ArrayList<>(byId.values());
        return new HashSet<>(BatchStatement.of(records)
            .uuid(UsageRecorded::eventId)
            .text(UsageRecorded::requestId)
            .timestamp(UsageRecorded::occurredAt)
            .uuid(UsageRecorded::departmentId)
            .uuid(UsageRecorded::apiKeyId)
            .uuid(UsageRecorded::agentId)
            .uuid(UsageRecorded::agentRunId)
            .text(UsageRecorded::model)
            .text(UsageRecorded::backend)
            .text(UsageRecorded::node)
            .text(UsageRecorded::device)
            .int8(UsageRecorded::promptTokens)
            .int8(UsageRecorded::completionTokens)
            .text(record -> record.outcome().name())
            .int8(UsageRecorded::latencyMs)
            .int8(UsageRecorded::timeToFirstTokenMs)
            .numeric(UsageAmounts::energyJoules)
            .text(record -> record.energySource().name())
            .numeric(UsageAmounts::acceleratorSeconds)
            .bool(UsageRecorded::tokensEstimated)
            .text(UsageRecorded::nodeClass)
            .numeric(UsageAmounts::energyGapSeconds)
            .text(UsageRecorded::endUser)
            .numeric(record -> emissions.get(record.eventId()))
            .text(record -> record.tag(CostTags.TEAM))
            .text(record -> record.tag(CostTags.PROJECT))
            .text(record -> CostTags.json(record.tags()))
            .text(UsageRecorded::deployment)
            .query(jdbc, """
                    INSERT INTO usage_record (received_at, event_id, request_id, occurred_at, department_id,
                        api_key_id, agent_id, agent_run_id, model, backend, node, device, prompt_tokens,
                        completion_tokens, outcome, latency_ms, time_to_first_token_ms, energy_joules,
                        energy_source, accelerator_seconds, tokens_estimated, node_class, energy_gap_seconds,
                        end_user, emissions_grams, team, project, tags, deployment)
                    SELECT ?, * FROM unnest(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                        ?, ?, ?)
                    ON CONFLICT (event_id, occurred_at) DO NOTHING
                    RETURNING event_id""", (row, i) -> row.getObject(1, UUID.class), Timestamp.from(receivedAt)));
    }

    static Map<NodeHour, BigDecimal> directEnergyByNodeHour(List<UsageRecorded> records) {
        Map<NodeHour, BigDecimal> direct = new LinkedHashMap<>();
        for (UsageRecorded record : records) {
            direct.merge(new NodeHour(record.node(), record.occurredAt().truncatedTo(ChronoUnit.HOURS)),
                    UsageAmounts.energyJoules(record), BigDecimal::add);
        }
        return direct;
    }

    /**
     * One event per department per batch, so billing gets few large messages rather than
     * one per request; at most {@link #MAX_ITEMS_PER_EVENT} items each.
     */
    private void publishMetered(List<UsageRecorded> records, Instant receivedAt, Map<UUID, Span> spans,
            Map<UUID, BigDecimal> emissions) {
        Map<UUID, List<UsageMetered.Item>> byDepartment = new LinkedHashMap<>();
        for (UsageRecorded record : records) {
            Span span = spans.get(record.eventId());
            byDepartment.computeIfAbsent(record.departmentId(), department -> new ArrayList<>())
                .add(meteredItem(record, facility, span == null ? null : traces.traceparentOf(span),
                        emissions.get(record.eventId())));
        }
        byDepartment.forEach((department, items) -> inChunks(items, MAX_ITEMS_PER_EVENT)
            .forEach(chunk -> events.publishEvent(new UsageMetered(UUID.randomUUID(), receivedAt, department, chunk))));
    }

    /**
     * The most records one {@code usage-metered} event carries. A batch of deliveries
     * that are themselves batches of usage events holds many thousands of one
     * department's records; one event of them all would pass Kafka's default limit of 1
     * MB per message (500 items are about 400 KB).
     */
    static final int MAX_ITEMS_PER_EVENT = 500;

    static <T> List<List<T>> inChunks(List<T> items, int size) {
        List<List<T>> chunks = new ArrayList<>();
        for (int from = 0; from < items.size(); from += size) {
            chunks.add(items.subList(from, Math.min(items.size(), from + size)));
        }
        return chunks;
    }

    /**
     * A record as billing is told it: its direct energy, the facility's overhead on it at
     * the PUE of its time, and the emissions of both.
     */
    static UsageMetered.Item meteredItem(UsageRecorded record, FacilityOverhead facility, String traceparent,
            BigDecimal emissionsGrams) {
        BigDecimal direct = UsageAmounts.energyJoules(record);
        return new UsageMetered.Item(record, direct, facility.overheadJoules(direct, record.occurredAt()),
                facility.pueAt(record.occurredAt()), traceparent, emissionsGrams);
    }

    /**
     * One span per newly metered record, continuing its request's trace (none for a
     * record without one); billing's span for it follows below.
     */
    private Map<UUID, Span> spans(List<UsageRecorded> records) {
        Map<UUID, Span> spans = new LinkedHashMap<>();
        for (UsageRecorded record : records) {
            if (record.traceparent() != null) {
                Span span = traces.continued(record.traceparent(), "meter usage");
                span.tag(Traces.DEPARTMENT, String.valueOf(record.departmentId()))
                    .tag(Traces.MODEL, record.model())
                    .tag(Traces.REQUEST, String.valueOf(record.requestId()))
                    .tag(Traces.INPUT_TOKENS, record.promptTokens())
                    .tag(Traces.OUTPUT_TOKENS, record.completionTokens())
                    .tag("tokenfactory.energy.joules", record.energyJoules())
                    .tag("tokenfactory.energy.source", record.energySource().name());
                spans.put(record.eventId(), span);
            }
        }
        return spans;
    }

    /** A span ends with its transaction; a rolled-back batch is redelivered. */
    private static void endAfterCompletion(Collection<Span> spans) {
        if (spans.isEmpty()) {
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                for (Span span : spans) {
                    if (status != STATUS_COMMITTED) {
                        span.tag("tokenfactory.outcome", "rolled back");
                    }
                    span.end();
                }
            }
        });
    }

    /** Metrics count what committed, never what a rolled-back attempt saw. */
    private void afterCommit(List<UsageRecorded> records, int skipped) {
        Instant committedAt = clock.instant();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                ingested.increment(records.size());
                duplicates.increment(skipped);
                Map<List<String>, long[]> tokens = new LinkedHashMap<>();
                Map<List<String>, BigDecimal> joules = new LinkedHashMap<>();
                for (UsageRecorded record : records) {
                    List<String> tags = List.of(record.model(), record.departmentId().toString());
                    long[] counts = tokens.computeIfAbsent(tags, key -> new long[2]);
                    counts[0] += record.promptTokens();
                    counts[1] += record.completionTokens();
                    joules.merge(
                            List.of(record.model(), record.departmentId().toString(), record.energySource().name()),
                            UsageAmounts.energyJoules(record), BigDecimal::add);
                    lag.record(Math.max(0, committedAt.toEpochMilli() - record.occurredAt().toEpochMilli()) / 1000.0);
                }
                tokens.forEach((tags, counts) -> {
                    tokenCounter(tags, "prompt").increment(counts[0]);
                    tokenCounter(tags, "completion").increment(counts[1]);
                });
                joules.forEach((tags, sum) -> Counter.builder("tokenfactory.metering.energy")
                    .baseUnit("joules")
                    .description("direct energy of metered requests, by where it came from")
                    .tag("model", tags.get(0))
                    .tag("department", tags.get(1))
                    .tag("source", tags.get(2))
                    .register(meters)
                    .increment(sum.doubleValue()));
            }
        });
    }

    private Counter tokenCounter(List<String> tags, String kind) {
        return Counter.builder("tokenfactory.metering.tokens")
            .description("metered tokens")
            .tag("model", tags.get(0))
            .tag("department", tags.get(1))
            .tag("kind", kind)
            .register(meters);
    }

}
