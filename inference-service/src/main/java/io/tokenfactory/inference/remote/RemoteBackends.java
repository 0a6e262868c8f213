package io.tokenfactory.inference.remote;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.inference.ModelBackend;
import io.tokenfactory.inference.catalog.ModelCatalog;
import io.tokenfactory.inference.ModelSettings;

import org.springframework.stereotype.Component;

/** The configured remote models, each with its own circuit breaker. */
@Component
public class RemoteBackends {

    private final Map<String, RemoteBackend> backends = new LinkedHashMap<>();

    RemoteBackends(ModelCatalog catalog, MeterRegistry meters) {
        HttpClient http = RemoteBackend.client(Duration.ofSeconds(5));
        for (ModelSettings model : catalog.all()) {
            if (model.backend() == ModelBackend.REMOTE) {
                RemoteBackend backend = new RemoteBackend(model, http);
                backends.put(model.name(), backend);
                Gauge.builder("tokenfactory.inference.remote.circuit.open", backend,
                        b -> b.state() == CircuitBreaker.State.OPEN ? 1 : 0)
                        .tag("model", model.name()).description("1 while a remote model's circuit is open")
                        .register(meters);
            }
        }
    }

    public Optional<RemoteBackend> find(String model) {
        return Optional.ofNullable(backends.get(model));
    }
}
