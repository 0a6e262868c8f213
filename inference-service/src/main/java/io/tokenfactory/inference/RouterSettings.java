package io.tokenfactory.inference;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What routing between a model's deployments learns from
 * ({@code tokenfactory.inference.router}).
 *
 * @param ratesUrl billing-service's Prometheus endpoint: its energy price and capacity
 * rate per node give the {@code cost} strategy its prices
 * @param ratesRefresh how often those rates are read
 * @param warmUp requests a deployment serves before its moving averages are trusted;
 * until then latency, cost and efficiency routing send it work as least-outstanding does
 * @param staleAfter a deployment that served nothing for this long is sent one request to
 * refresh its moving averages (a node that was slow may have recovered)
 * @param smoothing weight of the newest sample in the moving averages (0 to 1)
 */
public record RouterSettings(@DefaultValue("http://localhost:8084/actuator/prometheus") URI ratesUrl,
        @NotNull @DefaultValue("30s") Duration ratesRefresh, @DefaultValue("5") @Min(0) @Max(10_000) int warmUp,
        @NotNull @DefaultValue("5s") Duration staleAfter,
        @DefaultValue("0.2") @jakarta.validation.constraints.DecimalMin("0.01") @jakarta.validation.constraints.DecimalMax("1") double smoothing) {

}
