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

    /** By model, then by deployment, in the order configured. */
    private final Map<String, Map<String, RemoteModelClient>> backends = new LinkedHashMap<>();

    private final List<HuggingFaceTokenizer> tokenizers = new ArrayList<>();

    RemoteBackends(ModelCatalog catalog, ResourceLoader resources, MeterRegistry meters,
            InferenceProperties properties) {
        HttpClient http = RemoteModelClient.client(Duration.ofSeconds(5));
        for (ModelSettings model : catalog.all()) {
            for (ModelSettings.DeploymentSettings deployment : model.servedBy()) {
                if (deployment.backend() != ModelBackend.REMOTE) {
                    continue;
                }
                ModelSettings.RemoteSettings remote = deployment.remote();
                HuggingFaceTokenizer tokenizer = tokenizer(model, remote, resources);
                // a model on one server keeps its metrics' name; several are told apart
                String limitName = model.deployments().isEmpty() ? model.name() : deployment.name();
                ConcurrencyLimit slots = new ConcurrencyLimit(limitName, remote.maxConcurrency(),
                        remote.queueCapacity(), remote.queueTimeout(), properties.fairShare(), meters);
                RemoteModelClient backend = new RemoteModelClient(model, deployment, http, tokenizer, slots);
                backends.computeIfAbsent(model.name(), name -> new LinkedHashMap<>()).put(deployment.name(), backend);
                Gauge
                    .builder("tokenfactory.inference.remote.circuit.open", backend,
                            b -> b.state() == CircuitBreaker.State.OPEN ? 1 : 0)
                    .tag("model", model.name())
                    .tag("deployment", deployment.name())
                    .description("1 while a remote deployment's circuit is open")
                    .register(meters);
            }
        }
    }

    private HuggingFaceTokenizer tokenizer(ModelSettings model, ModelSettings.RemoteSettings remote,
            ResourceLoader resources) {
        String location = remote.tokenizer();
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

    /** A remote model's first server (an embedding model has one). */
    public Optional<RemoteModelClient> find(String model) {
        return Optional.ofNullable(backends.get(model)).flatMap(d -> d.values().stream().findFirst());
    }

    /** One remote deployment of a model. */
    public Optional<RemoteModelClient> find(String model, String deployment) {
        return Optional.ofNullable(backends.get(model)).map(d -> d.get(deployment));
    }

    @Override
    public void close() {
        tokenizers.forEach(HuggingFaceTokenizer::close);
    }

}
