package io.tokenfactory.billing;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import io.tokenfactory.support.events.ConsumerSettings;
import io.tokenfactory.support.events.OutboxSettings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param currency the one ISO-4217 currency all money is kept in
 * @param billingTimeZone the zone in which calendar-month billing periods start and end
 * @param outbox how budget-status-changed reaches the broker
 * @param closeAfter a month is closed automatically this long after it ends (in the
 * billing time zone)
 * @param platformCostCentre the cost centre the general-ledger journal credits (the AI
 * platform's)
 * @param consumers how metered usage and idle energy are retried before a message is
 * parked as a dead letter
 * @param webhooks how alerts reach their subscribers' URLs
 * @param statements what a closed statement lists beyond its lines
 */
@Validated
@ConfigurationProperties("tokenfactory.billing")
public record BillingProperties(
        @NotNull @Pattern(regexp = "[A-Z]{3}",
                message = "must be an ISO-4217 code such as EUR") @DefaultValue("EUR") String currency,
        @NotNull @DefaultValue("UTC") ZoneId billingTimeZone, @Valid @NotNull @DefaultValue OutboxSettings outbox,
        @NotNull @DefaultValue("P3D") Duration closeAfter,
        @NotBlank @DefaultValue("AI-PLATFORM") String platformCostCentre,
        @Valid @NotNull @DefaultValue ConsumerSettings consumers, @Valid @NotNull @DefaultValue Webhooks webhooks,
        @Valid @NotNull @DefaultValue Statements statements) {

    /**
     * @param topUsers how many of a department's end users (OpenAI's {@code user} of each
     * request) its statement lists, heaviest charge first; 0, the default, lists none:
     * naming people on a statement is a privacy decision for the operator
     */
    public record Statements(@Min(0) @Max(100) @DefaultValue("0") int topUsers) {
    }

    /**
     * Delivery of alerts to webhook subscriptions.
     *
     * @param pollInterval how often each replica looks for due deliveries
     * @param connectTimeout how long connecting to a receiver may take
     * @param readTimeout how long a receiver may take to answer once connected (the whole
     * attempt is cut off after connect + read timeout)
     * @param maxConcurrentDeliveries attempts one replica makes at once (its thread
     * pool), at most one per subscription, so a receiver that never answers holds one
     * thread
     * @param maxAttempts attempts before a delivery is given up as FAILED
     * @param retryDelays the pause after the first, second, … failed attempt; the last
     * one repeats
     * @param deliveryRetention finished deliveries and their attempts are kept this long
     */
    public record Webhooks(@NotNull @DefaultValue("PT1S") Duration pollInterval,
            @NotNull @DefaultValue("PT5S") Duration connectTimeout, @NotNull @DefaultValue("PT5S") Duration readTimeout,
            @Min(1) @Max(256) @DefaultValue("8") int maxConcurrentDeliveries,
            @Min(1) @Max(100) @DefaultValue("8") int maxAttempts, @NotEmpty @DefaultValue( {
                    "PT10S", "PT30S", "PT2M", "PT10M", "PT30M", "PT1H" }) List<Duration> retryDelays,
            @NotNull @DefaultValue("P30D") Duration deliveryRetention){
    }

}
