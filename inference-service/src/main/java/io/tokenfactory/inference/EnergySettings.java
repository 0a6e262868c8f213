package io.tokenfactory.inference;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param source        {@code auto} picks the first readable of NVML, DCGM exporter (when its URL is set), RAPL, and
 *                      falls back to the estimate; naming one source makes start-up fail when it is not readable
 * @param window        how often a {@code power-sampled} window is closed and published
 * @param gpuIndex      the GPU that NVML or DCGM reads
 * @param dcgmUrl       the DCGM exporter's metrics URL, for example {@code http://localhost:9400/metrics}
 * @param dcgmScrapeInterval how often the exporter is scraped
 * @param powercapPath  where Linux exposes RAPL counters
 * @param idleWatts     the estimate's power at zero utilisation
 * @param maxWatts      the estimate's power at full utilisation
 */
public record EnergySettings(
        @NotNull @DefaultValue("auto") Source source,
        @NotNull @DefaultValue("60s") Duration window,
        @DefaultValue("0") @Min(0) int gpuIndex,
        URI dcgmUrl,
        @NotNull @DefaultValue("1s") Duration dcgmScrapeInterval,
        @NotNull @DefaultValue("/sys/class/powercap") Path powercapPath,
        @DefaultValue("10") @PositiveOrZero double idleWatts,
        @DefaultValue("65") @PositiveOrZero double maxWatts) {

    public enum Source {
        AUTO, NVML, DCGM, RAPL, ESTIMATED
    }

    @AssertTrue(message = "max-watts must not be below idle-watts")
    public boolean isEstimateConsistent() {
        return maxWatts >= idleWatts;
    }
}
