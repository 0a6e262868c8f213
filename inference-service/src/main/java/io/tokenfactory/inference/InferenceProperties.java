package io.tokenfactory.inference;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import io.tokenfactory.support.events.OutboxSettings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param node   the name of the machine this instance serves from; every usage record and power sample names it
 * @param outbox how usage events reach the broker
 */
@Validated
@ConfigurationProperties("tokenfactory.inference")
public record InferenceProperties(
        @NotBlank @DefaultValue("local") String node,
        @NotNull @Valid @DefaultValue OutboxSettings outbox) {
}
