package io.tokenfactory.metering;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import io.tokenfactory.support.events.ConsumerSettings;
import io.tokenfactory.support.events.OutboxSettings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param maxPlausibleTokensPerRequest usage records claiming more tokens than this are
 * rejected as corrupt
 * @param processedEventRetention how long consumed event ids are kept to recognise
 * redeliveries
 * @param rawUsageRetentionMonths whole months of raw usage kept; older monthly partitions
 * are dropped (rollups stay). 0 keeps everything
 * @param inferenceUrl where inference-service answers, for reconciliation
 * @param billingUrl where billing-service answers, for reconciliation
 * @param consumers how usage and power windows are retried before a delivery is parked as
 * a dead letter
 * @param gatewayUrl where the gateway answers, for reconciliation (what it relayed to
 * clients)
 * @param reconciliation when the gateway's count of an hour is complete
 */
@Validated
@ConfigurationProperties("tokenfactory.metering")
public record MeteringProperties(@Min(1) @Max(100_000_000) @DefaultValue("10000000") long maxPlausibleTokensPerRequest,
        @NotNull @DefaultValue("P30D") Duration processedEventRetention,
        @Min(0) @Max(1200) @DefaultValue("13") int rawUsageRetentionMonths,
        @NotNull @DefaultValue("http://localhost:8082") URI inferenceUrl,
        @NotNull @DefaultValue("http://localhost:8084") URI billingUrl,
        @NotNull @DefaultValue("http://localhost:8080") URI gatewayUrl, @Valid @NotNull @DefaultValue Energy energy,
        @Valid @NotNull @DefaultValue OutboxSettings outbox, @Valid @NotNull @DefaultValue ConsumerSettings consumers,
        @Valid @NotNull @DefaultValue Reconciliation reconciliation) {

    /**
     * @param relayedCountedAfter how long after an hour ends both counts of it are
     * complete and the gateway's is compared with what inference served: longer than the
     * gateway's {@code relayed-usage.flush-interval} (5 s) and than inference's closing
     * of a dead replica's requests ({@code orphan-after}, 30 s, plus a heartbeat), with a
     * margin
     */
    public record Reconciliation(@NotNull @DefaultValue("PT2M") Duration relayedCountedAfter) {
    }

    /**
     * @param allocationInterval how often complete hours are looked for and their idle
     * energy allocated
     * @param hourCompleteAfter how long after an hour ends its idle energy is first
     * allocated (waiting for the last power windows and usage); data arriving later
     * publishes a correction
     * @param pue the facility's power usage effectiveness, effective-dated; the factor
     * applies from its date until the next one. Empty means 1.0 (no overhead)
     * @param sites the nodes of each site, by site name, so a site's grid carbon
     * intensity applies to them (a node belongs to at most one site)
     */
    public record Energy(@NotNull @DefaultValue("PT1M") Duration allocationInterval,
            @NotNull @DefaultValue("PT5M") Duration hourCompleteAfter, @NotNull @DefaultValue List<@Valid PueFrom> pue,
            Map<String, List<String>> sites) {

        public Energy {
            sites = sites == null ? Map.of() : Map.copyOf(sites);
        }
    }

    /** A facility overhead factor (PUE, 1.0 = none) effective from an instant. */
    public record PueFrom(@NotNull Instant effectiveFrom,
            @NotNull @DecimalMin("1.0") @DecimalMax("5.0") BigDecimal factor) {
    }
}
