package io.tokenfactory.billing.pricing.web;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.tokenfactory.billing.pricing.PriceBook;
import io.tokenfactory.billing.pricing.PriceBook.CapacityRate;
import io.tokenfactory.billing.pricing.PriceBook.NodeClass;
import io.tokenfactory.billing.pricing.PriceBook.PricedModel;
import io.tokenfactory.billing.pricing.PriceBook.RateCard;
import io.tokenfactory.billing.pricing.PriceBook.Tariff;

import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The price book's admin API: models, rate cards, energy tariffs and capacity rates per
 * node class (append-only, effective-dated), and which class each node is in.
 */
@RestController
class PricingController {

    private final PriceBook prices;

    PricingController(PriceBook prices) {
        this.prices = prices;
    }

    @PostMapping("/api/billing/models")
    ResponseEntity<PricedModel> registerModel(@Valid @RequestBody ModelRequest request) {
        PricedModel model = prices.registerModel(request.name(), request.task());
        return ResponseEntity.created(URI.create("/api/billing/models")).body(model);
    }

    @GetMapping("/api/billing/models")
    List<PricedModel> models() {
        return prices.models();
    }

    @PostMapping("/api/billing/rate-cards")
    ResponseEntity<RateCard> addRateCard(@Valid @RequestBody RateCardRequest request) {
        RateCard card = prices.addRateCard(request.model(), request.effectiveFrom(), request.promptPerMillion(),
                request.completionPerMillion(),
                request.embeddingPerMillion() == null ? BigDecimal.ZERO : request.embeddingPerMillion());
        return ResponseEntity.created(URI.create("/api/billing/rate-cards?model=" + card.model())).body(card);
    }

    @GetMapping("/api/billing/rate-cards")
    List<RateCard> rateCards(@RequestParam(required = false) String model) {
        return prices.rateCards(model == null || model.isBlank() ? null : model);
    }

    @PostMapping("/api/billing/energy-tariffs")
    ResponseEntity<Tariff> addTariff(@Valid @RequestBody TariffRequest request) {
        Tariff tariff = prices.addTariff(request.effectiveFrom(), request.pricePerKwh(),
                request.bands() == null ? List.of()
                        : request.bands()
                            .stream()
                            .map(band -> new PriceBook.Band(band.startsAt(), band.endsAt(), band.pricePerKwh()))
                            .toList());
        return ResponseEntity.created(URI.create("/api/billing/energy-tariffs")).body(tariff);
    }

    @GetMapping("/api/billing/energy-tariffs")
    List<Tariff> tariffs() {
        return prices.tariffs();
    }

    @PutMapping("/api/billing/nodes/{node}")
    NodeClass assignNode(@PathVariable String node, @Valid @RequestBody NodeClassRequest request) {
        if (node.length() > 200) {
            throw new ApiProblemException(HttpStatus.BAD_REQUEST, "invalid_parameter", "Invalid parameter",
                    "a node name has at most 200 characters");
        }
        return prices.assignNode(node, request.nodeClass());
    }

    @GetMapping("/api/billing/nodes")
    List<NodeClass> nodeClasses() {
        return prices.nodeClasses();
    }

    @PostMapping("/api/billing/capacity-rates")
    ResponseEntity<CapacityRate> addCapacityRate(@Valid @RequestBody CapacityRateRequest request) {
        CapacityRate rate = prices.addCapacityRate(request.nodeClass(), request.effectiveFrom(),
                request.costPerAcceleratorHour());
        return ResponseEntity.created(URI.create("/api/billing/capacity-rates")).body(rate);
    }

    @GetMapping("/api/billing/capacity-rates")
    List<CapacityRate> capacityRates() {
        return prices.capacityRates();
    }

    record NodeClassRequest(@NotBlank @Size(max = 64) @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]*",
            message = "letters, digits, '.', '_' or '-'") String nodeClass) {
    }

    /** The amortised cost of one accelerator for one hour, in the configured currency. */
    record CapacityRateRequest(
            @NotBlank @Size(max = 64) @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]*",
                    message = "letters, digits, '.', '_' or '-'") String nodeClass,
            Instant effectiveFrom,
            @NotNull @DecimalMin("0") @Digits(integer = 13, fraction = 6) BigDecimal costPerAcceleratorHour) {
    }

    record ModelRequest(@NotBlank @Size(max = 200) @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._:/-]*",
            message = "letters, digits, '.', '_', ':', '/' or '-'") String name, @NotNull PriceBook.Task task) {
    }

    /**
     * Prices per million tokens in the configured currency; {@code effectiveFrom}
     * defaults to now.
     */
    record RateCardRequest(@NotBlank @Size(max = 200) String model, Instant effectiveFrom,
            @NotNull @DecimalMin("0") @Digits(integer = 13, fraction = 6) BigDecimal promptPerMillion,
            @NotNull @DecimalMin("0") @Digits(integer = 13, fraction = 6) BigDecimal completionPerMillion,
            @DecimalMin("0") @Digits(integer = 13, fraction = 6) BigDecimal embeddingPerMillion) {
    }

    /**
     * A price per kWh, optionally with time-of-use bands (local time in the billing time
     * zone, e.g. 22:00–06:00).
     */
    record TariffRequest(Instant effectiveFrom,
            @NotNull @DecimalMin("0") @Digits(integer = 13, fraction = 6) BigDecimal pricePerKwh,
            @Size(max = 24) List<@Valid @NotNull BandRequest> bands) {
    }

    record BandRequest(@NotNull LocalTime startsAt, @NotNull LocalTime endsAt,
            @NotNull @DecimalMin("0") @Digits(integer = 13, fraction = 6) BigDecimal pricePerKwh) {
    }

}
