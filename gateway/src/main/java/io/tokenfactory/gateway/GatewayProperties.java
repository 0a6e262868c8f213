package io.tokenfactory.gateway;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param upstreams                where each service answers
 * @param connectTimeout           how long to wait for a connection to a service
 * @param responseTimeout          how long an admin API may take before its response begins
 * @param inferenceResponseTimeout how long inference-service may take before its response begins (the first
 *                                 token can wait for a model to load or a batch slot)
 * @param streamIdleTimeout        the longest silence allowed once a response has begun; a token stream may run
 *                                 for minutes, but never goes quiet for this long
 */
@Validated
@ConfigurationProperties("tokenfactory.gateway")
public record GatewayProperties(
        @NotNull @Valid @DefaultValue Upstreams upstreams,
        @NotNull @DefaultValue("PT2S") Duration connectTimeout,
        @NotNull @DefaultValue("PT30S") Duration responseTimeout,
        @NotNull @DefaultValue("PT2M") Duration inferenceResponseTimeout,
        @NotNull @DefaultValue("PT1M") Duration streamIdleTimeout) {

    public record Upstreams(
            @NotNull @DefaultValue("http://localhost:8082") URI inference,
            @NotNull @DefaultValue("http://localhost:8081") URI agents,
            @NotNull @DefaultValue("http://localhost:8083") URI metering,
            @NotNull @DefaultValue("http://localhost:8084") URI billing) {
    }
}
