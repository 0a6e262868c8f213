package io.tokenfactory.metering;

import jakarta.validation.constraints.Max;
import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param maxPlausibleTokensPerRequest usage records claiming more tokens than this are rejected as corrupt
 * @param processedEventRetention      how long consumed event ids are kept to recognise redeliveries
 */
@Validated
@ConfigurationProperties("tokenfactory.metering")
public record MeteringProperties(
        @Min(1) @Max(100_000_000) @DefaultValue("10000000") long maxPlausibleTokensPerRequest,
        @NotNull @DefaultValue("P30D") Duration processedEventRetention) {
}
