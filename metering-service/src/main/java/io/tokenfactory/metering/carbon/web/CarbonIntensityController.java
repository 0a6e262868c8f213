package io.tokenfactory.metering.carbon.web;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import io.tokenfactory.metering.carbon.CarbonIntensities;
import io.tokenfactory.metering.carbon.CarbonIntensity;
import io.tokenfactory.metering.carbon.CarbonScope;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Grid carbon intensities: administrators add them (effective-dated, never reaching back
 * over metered usage); anyone who reads usage may list them and the declared sites.
 */
@RestController
class CarbonIntensityController {

    private final CarbonIntensities intensities;

    CarbonIntensityController(CarbonIntensities intensities) {
        this.intensities = intensities;
    }

    @PostMapping("/api/metering/carbon-intensities")
    ResponseEntity<CarbonIntensity> add(@Valid @RequestBody NewIntensity request) {
        CarbonIntensity added = intensities.add(request.scope(), request.target(), request.effectiveFrom(),
                request.gramsPerKwh(), request.source());
        return ResponseEntity.created(URI.create("/api/metering/carbon-intensities/" + added.id())).body(added);
    }

    @GetMapping("/api/metering/carbon-intensities")
    Intensities list() {
        return new Intensities(intensities.list(), intensities.sites());
    }

    /**
     * @param scope {@code NODE}, {@code SITE} or {@code FACTORY}
     * @param target the node's or site's name; none for the factory
     * @param effectiveFrom when it takes effect; now when left out
     * @param gramsPerKwh grams of CO2e per kWh drawn from the grid there (location-based)
     * @param source where the figure comes from, for readers of reports
     */
    record NewIntensity(@NotNull CarbonScope scope, @Size(max = 200) String target, Instant effectiveFrom,
            @NotNull @DecimalMin("0") @DecimalMax("5000") @Digits(integer = 4, fraction = 3) BigDecimal gramsPerKwh,
            @Size(max = 200) String source) {
    }

    record Intensities(List<CarbonIntensity> intensities, Map<String, List<String>> sites) {
    }

}
