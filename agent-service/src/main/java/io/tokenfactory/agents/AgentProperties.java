package io.tokenfactory.agents;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import io.tokenfactory.support.events.OutboxSettings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param supervisionInterval how often the supervisor checks that every always-on agent is alive
 * @param outbox              how agent-state-changed reaches the broker
 */
@Validated
@ConfigurationProperties("tokenfactory.agents")
public record AgentProperties(
        @NotNull @DefaultValue("PT30S") Duration supervisionInterval,
        @Valid @NotNull @DefaultValue OutboxSettings outbox) {
}
