package io.tokenfactory.metering;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param maxPlausibleTokensPerRequest usage records claiming more tokens than this are rejected as corrupt
 */
@Validated
@ConfigurationProperties("tokenfactory.metering")
public record MeteringProperties(
        @Min(1) @Max(100_000_000) @DefaultValue("10000000") long maxPlausibleTokensPerRequest) {
}
