package io.tokenfactory.inference.remote;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.inference.ModelBackend;
import io.tokenfactory.inference.catalog.ModelCatalog;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.fairshare.ConcurrencyLimit;

import org.springframework.core.io.ResourceLoader;
import org.springframework.stereotype.Component;

/**
 * The configured remote models, each with its own concurrency limit (and fair queue in
 * front of it), circuit breaker and, where configured, its own tokenizer.
 */
@Component
public class RemoteBackends implements AutoCloseable {

    private final Map<String, RemoteModelClient> backends = new LinkedHashMap<>();

    private final List<HuggingFaceTokenizer> tokenizers = new ArrayList<>();

    RemoteBackends(ModelCatalog catalog, ResourceLoader resources, MeterRegistry meters,
            InferenceProperties properties) {
        HttpClient http = RemoteModelClient.client(Duration.ofSeconds(5));
        for (ModelSettings model : catalog.all()) {
            if (model.backend() == ModelBackend.REMOTE) {
                HuggingFaceTokenizer tokenizer = tokenizer(model, resources);
                ModelSettings.RemoteSettings remote = model.remote();
                ConcurrencyLimit slots = new ConcurrencyLimit(model.name(), remote.maxConcurrency(),
                        remote.queueCapacity(), remote.queueTimeout(), properties.fairShare(), meters);
                RemoteModelClient backend = new RemoteModelClient(model, http, tokenizer, slots);
                backends.put(model.name(), backend);
                Gauge
                    .builder("tokenfactory.inference.remote.circuit.open", backend,
                            b -> b.state() == CircuitBreaker.State.OPEN ? 1 : 0)
                    .tag("model", model.name())
                    .description("1 while a remote model's circuit is open")
                    .register(meters);
            }
        }
    }

    private HuggingFaceTokenizer tokenizer(ModelSettings model, ResourceLoader resources) {
        String location = model.remote().tokenizer();
        if (location == null || location.isBlank()) {
            return null;
        }
        try (InputStream json = resources.getResource(location).getInputStream()) {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(json,
                    Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"));
            tokenizers.add(tokenizer);
            return tokenizer;
        }
        catch (IOException | RuntimeException e) {
            throw new IllegalStateException("remote model " + model.name() + ": cannot load its tokenizer from "
                    + location + ": " + e.getMessage(), e);
        }
    }

    public Optional<RemoteModelClient> find(String model) {
        return Optional.ofNullable(backends.get(model));
    }

    @Override
    public void close() {
        tokenizers.forEach(HuggingFaceTokenizer::close);
    }

}
