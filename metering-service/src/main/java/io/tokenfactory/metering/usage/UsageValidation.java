package io.tokenfactory.metering.usage;

import java.util.Optional;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.metering.MeteringProperties;
import io.tokenfactory.support.tags.CostTags;

import org.springframework.stereotype.Component;

/**
 * What makes a usage record impossible to count: it is dead-lettered with that reason,
 * never ingested.
 */
@Component
public class UsageValidation {

    private final long maxPlausibleTokens;

    private final RawUsageRetention retention;

    UsageValidation(MeteringProperties properties, RawUsageRetention retention) {
        this.maxPlausibleTokens = properties.maxPlausibleTokensPerRequest();
        this.retention = retention;
    }

    public Optional<String> problem(UsageRecorded record) {
        if (record.eventId() == null) {
            return Optional.of("missing eventId");
        }
        if (record.departmentId() == null) {
            return Optional.of("missing departmentId");
        }
        if (record.occurredAt() == null || record.requestId() == null || record.model() == null
                || record.outcome() == null || record.energySource() == null || record.node() == null
                || record.device() == null || record.backend() == null) {
            return Optional
                .of("missing one of occurredAt, requestId, model, outcome, energySource, node, device, backend");
        }
        if (!retention.accepts(record.occurredAt())) {
            return Optional.of("occurredAt " + record.occurredAt() + " is outside the accepted range: from "
                    + retention.oldestRetained() + " (raw usage retention) to a day ahead of now");
        }
        if (record.promptTokens() < 0 || record.completionTokens() < 0) {
            return Optional.of("negative token counts: prompt=" + record.promptTokens() + " completion="
                    + record.completionTokens());
        }
        if (record.totalTokens() > maxPlausibleTokens || record.totalTokens() < 0) {
            return Optional.of("implausible token counts: prompt=" + record.promptTokens() + " completion="
                    + record.completionTokens());
        }
        if (!Double.isFinite(record.energyJoules()) || record.energyJoules() < 0
                || !Double.isFinite(record.acceleratorSeconds()) || record.acceleratorSeconds() < 0
                || !Double.isFinite(record.energyGapSeconds()) || record.energyGapSeconds() < 0
                || record.latencyMs() < 0 || record.timeToFirstTokenMs() < 0) {
            return Optional.of("negative or undefined energy, time, gap or latency");
        }
        if (record.energySource() == EnergySource.NONE && record.energyJoules() > 0) {
            return Optional.of("energy without a source: a NONE figure must be 0 J");
        }
        if (record.requestId().length() > 64 || record.backend().length() > 64 || record.model().length() > 200
                || record.node().length() > 200 || record.device().length() > 200
                || (record.nodeClass() != null && record.nodeClass().length() > 64)
                || (record.endUser() != null && record.endUser().length() > 256)
                || (record.deployment() != null && record.deployment().length() > 200)) {
            return Optional.of("an identifier is too long (requestId, backend, nodeClass ≤ 64; model, node, device, "
                    + "deployment ≤ 200; endUser ≤ 256)");
        }
        if (record.tags().size() > CostTags.MAX_TAGS || record.tags()
            .entrySet()
            .stream()
            .anyMatch(tag -> tag.getKey() == null || !CostTags.KEY.matcher(tag.getKey()).matches()
                    || tag.getValue() == null || tag.getValue().isEmpty()
                    || tag.getValue().length() > CostTags.MAX_VALUE_LENGTH)) {
            return Optional.of("cost tags break the rules: at most " + CostTags.MAX_TAGS
                    + " keys of lower-case letters, digits, '-' or '_', values of 1 to " + CostTags.MAX_VALUE_LENGTH
                    + " characters");
        }
        return Optional.empty();
    }

}
