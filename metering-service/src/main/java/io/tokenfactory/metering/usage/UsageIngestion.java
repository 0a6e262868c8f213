package io.tokenfactory.metering.usage;

import java.time.Clock;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.metering.MeteringProperties;
import io.tokenfactory.support.events.ProcessedEvents;
import io.tokenfactory.support.events.RejectedEventException;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Takes in usage records exactly once: the event id is recorded in the same transaction as the usage row, so a
 * redelivered event (broker redelivery, producer resend) changes nothing. Records that can never be valid are
 * rejected, which sends them to the dead-letter queue with the reason.
 */
@Service
public class UsageIngestion {

    public enum Result { INGESTED, DUPLICATE }

    private final MeteredUsageRepository usage;
    private final ProcessedEvents processedEvents;
    private final MeteringProperties properties;
    private final Clock clock;
    private final Counter ingested;
    private final Counter duplicates;

    UsageIngestion(MeteredUsageRepository usage, ProcessedEvents processedEvents, MeteringProperties properties,
            MeterRegistry meters, Clock clock) {
        this.usage = usage;
        this.processedEvents = processedEvents;
        this.properties = properties;
        this.clock = clock;
        this.ingested = Counter.builder("tokenfactory.metering.usage.events")
                .tag("result", "ingested").description("usage-recorded events ingested").register(meters);
        this.duplicates = Counter.builder("tokenfactory.metering.usage.events")
                .tag("result", "duplicate").description("usage-recorded events skipped as redeliveries").register(meters);
    }

    @Transactional
    public Result ingest(UsageRecorded record) {
        validate(record);
        if (!processedEvents.markFirstDelivery(record.eventId(), EventTypes.USAGE_RECORDED)) {
            duplicates.increment();
            return Result.DUPLICATE;
        }
        usage.save(new MeteredUsage(record, clock.instant()));
        ingested.increment();
        return Result.INGESTED;
    }

    private void validate(UsageRecorded record) {
        if (record.eventId() == null || record.departmentId() == null || record.occurredAt() == null
                || record.requestId() == null || record.model() == null || record.outcome() == null
                || record.energySource() == null || record.node() == null || record.device() == null
                || record.backend() == null) {
            throw new RejectedEventException("usage-recorded event lacks a required field");
        }
        if (record.promptTokens() < 0 || record.completionTokens() < 0
                || record.totalTokens() > properties.maxPlausibleTokensPerRequest()) {
            throw new RejectedEventException("implausible token counts: prompt=" + record.promptTokens()
                    + " completion=" + record.completionTokens());
        }
        if (!(record.energyJoules() >= 0) || !(record.acceleratorSeconds() >= 0) || record.latencyMs() < 0) {
            throw new RejectedEventException("negative or undefined energy, time or latency");
        }
    }
}
