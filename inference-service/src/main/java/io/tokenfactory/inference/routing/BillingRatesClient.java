package io.tokenfactory.inference.routing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.inference.energy.PrometheusText;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Billing's energy price and capacity rate per node, as billing-service publishes them on
 * its Prometheus endpoint ({@code tokenfactory_billing_node_energy_price},
 * {@code tokenfactory_billing_node_capacity_rate}); the series of node {@code *} is what
 * billing applies to a node it does not know. Read in the background when older than
 * {@code router.rates-refresh}; a request never waits for it.
 */
@Component
class BillingRatesClient {

    private static final Logger log = LoggerFactory.getLogger(BillingRatesClient.class);

    static final String ENERGY_PRICE = "tokenfactory_billing_node_energy_price";

    static final String CAPACITY_RATE = "tokenfactory_billing_node_capacity_rate";

    /**
     * @param energyPerKwh the price of a kilowatt-hour; null when billing has none
     * @param capacityPerHour the price of an accelerator-hour of the node's class; null
     * when billing has none
     */
    record Rates(@Nullable Double energyPerKwh, @Nullable Double capacityPerHour, @Nullable String currency) {

        /**
         * Cost of one token: its joules at the energy price plus its accelerator time at
         * the capacity rate; null when neither is known.
         */
        @Nullable Double costPerToken(double joulesPerToken, double acceleratorSecondsPerToken) {
            if (energyPerKwh == null && capacityPerHour == null) {
                return null;
            }
            double cost = 0;
            if (energyPerKwh != null && !Double.isNaN(joulesPerToken)) {
                cost += joulesPerToken / 3.6e6 * energyPerKwh;
            }
            if (capacityPerHour != null && !Double.isNaN(acceleratorSecondsPerToken)) {
                cost += acceleratorSecondsPerToken / 3600 * capacityPerHour;
            }
            return cost;
        }
    }

    private final @Nullable URI url;

    private final long refreshNanos;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final AtomicBoolean reading = new AtomicBoolean();

    private volatile Map<String, Rates> rates = Map.of();

    private volatile long readAt = Long.MIN_VALUE / 2;

    BillingRatesClient(InferenceProperties properties) {
        this.url = properties.router().ratesUrl();
        this.refreshNanos = properties.router().ratesRefresh().toNanos();
    }

    /** The node's rates, else billing's defaults; empty when billing published none. */
    Optional<Rates> of(String node) {
        refreshIfDue();
        Map<String, Rates> current = rates;
        return Optional.ofNullable(current.getOrDefault(node, current.get("*")));
    }

    private void refreshIfDue() {
        if (url == null || System.nanoTime() - readAt < refreshNanos || !reading.compareAndSet(false, true)) {
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                rates = read(url);
            }
            catch (Exception e) {
                log.debug("Billing's rates could not be read from {}: {}", url, e.toString());
            }
            finally {
                readAt = System.nanoTime();
                reading.set(false);
            }
        }, "billing-rates");
        thread.setDaemon(true);
        thread.start();
    }

    private Map<String, Rates> read(URI from) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(from).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("status " + response.statusCode());
        }
        return parse(response.body());
    }

    static Map<String, Rates> parse(String exposition) {
        Map<String, Double> energy = new HashMap<>();
        Map<String, Double> capacity = new HashMap<>();
        Map<String, String> currency = new HashMap<>();
        for (PrometheusText.Sample sample : PrometheusText.samples(exposition,
                name -> name.equals(ENERGY_PRICE) || name.equals(CAPACITY_RATE))) {
            String node = sample.labels().get("node");
            if (node == null || !Double.isFinite(sample.value()) || sample.value() < 0) {
                continue;
            }
            (sample.name().equals(ENERGY_PRICE) ? energy : capacity).put(node, sample.value());
            currency.putIfAbsent(node, sample.labels().get("currency"));
        }
        Map<String, Rates> parsed = new HashMap<>();
        currency.keySet()
            .forEach(node -> parsed.put(node, new Rates(energy.get(node), capacity.get(node), currency.get(node))));
        return Map.copyOf(parsed);
    }

}
