package io.tokenfactory.billing;

import java.time.Duration;
import java.time.ZoneId;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
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
 */
@Validated
@ConfigurationProperties("tokenfactory.billing")
public record BillingProperties(
        @NotNull @Pattern(regexp = "[A-Z]{3}",
                message = "must be an ISO-4217 code such as EUR") @DefaultValue("EUR") String currency,
        @NotNull @DefaultValue("UTC") ZoneId billingTimeZone, @Valid @NotNull @DefaultValue OutboxSettings outbox,
        @NotNull @DefaultValue("P3D") Duration closeAfter,
        @NotBlank @DefaultValue("AI-PLATFORM") String platformCostCentre,
        @Valid @NotNull @DefaultValue ConsumerSettings consumers) {
}
