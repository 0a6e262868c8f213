package io.tokenfactory.metering.usage;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Usage over a window. {@code from}/{@code to} are the window actually read: hour and day buckets widen the asked
 * window to whole buckets.
 */
public record UsageReport(Instant from, Instant to, UsageQuery.Granularity granularity,
        List<UsageQuery.Dimension> groupBy, List<Row> rows, Totals totals) {

    /** One bucket of one group; dimensions not grouped by are absent. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(Instant start, UUID department, UUID agent, String model, String node, long requests,
            long promptTokens, long completionTokens, long totalTokens, BigDecimal energyJoules,
            BigDecimal acceleratorSeconds) {
    }

    public record Totals(long requests, long promptTokens, long completionTokens, long totalTokens,
            BigDecimal energyJoules, BigDecimal acceleratorSeconds) {
    }
}
