package io.tokenfactory.agents;

import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import io.tokenfactory.support.events.OutboxSettings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param supervisionInterval how often the supervisor checks that every always-on agent is alive
 * @param outbox              how agent-state-changed reaches the broker
 * @param httpAllowedHosts    the only hosts the {@code http_get} tool may call (exact names); empty: none
 * @param httpTimeout         how long {@code http_get} waits for a host
 */
@Validated
@ConfigurationProperties("tokenfactory.agents")
public record AgentProperties(
        @NotNull @DefaultValue("PT30S") Duration supervisionInterval,
        @Valid @NotNull @DefaultValue OutboxSettings outbox,
        @NotNull @DefaultValue List<String> httpAllowedHosts,
        @NotNull @DefaultValue("PT10S") Duration httpTimeout) {
}
