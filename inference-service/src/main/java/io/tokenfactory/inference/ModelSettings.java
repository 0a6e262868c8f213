package io.tokenfactory.inference;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One served model.
 *
 * @param name what clients put in {@code model}
 * @param task {@code generation} (chat and completions) or {@code embedding}
 * @param backend {@code local} (DJL, in this process) or {@code remote} (an
 * OpenAI-compatible server)
 * @param engine DJL engine of a local model: {@code PyTorch} (generation) or
 * {@code OnnxRuntime} (embedding)
 * @param device {@code cpu}, or {@code gpu} / {@code gpu1} on a host whose libtorch has
 * CUDA
 * @param location a local model's file, as a Spring resource ({@code classpath:...} or
 * {@code file:...})
 * @param tokenizer a local embedding model's Hugging Face {@code tokenizer.json}
 * @param contextLength prompt plus completion tokens may not exceed it
 * @param maxOutputTokens the most tokens one request may ask for
 * @param defaultMaxTokens what a request that names no limit gets (capped by what its
 * prompt leaves)
 * @param maxBatch requests decoded together in one step (1 turns batching off)
 * @param queueCapacity requests that may wait for a row before new ones get 429
 * @param remote where a remote model lives (a model on one server); a model on several
 * servers lists them under {@code deployments} instead
 * @param deployments where the model runs when it runs in more than one place: each a
 * remote server on a declared node, or this process's engine ({@code backend: local}, for
 * a local model). Empty: the model runs where {@code backend} and {@code remote} say, as
 * one deployment named after the model
 * @param routing how a request picks one of the model's deployments
 */
public record ModelSettings(@NotBlank @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}") String name,
        @NotNull ModelTask task, @NotNull ModelBackend backend, @DefaultValue("PyTorch") String engine,
        @NotBlank @DefaultValue("cpu") @Pattern(regexp = "cpu|gpu\\d*") String device, String location,
        String tokenizer, @NotNull @DefaultValue("256") @Positive Integer contextLength,
        @NotNull @DefaultValue("256") @Positive Integer maxOutputTokens,
        @NotNull @DefaultValue("128") @Positive Integer defaultMaxTokens,
        @DefaultValue("16") @Min(1) @Max(256) int maxBatch, @DefaultValue("64") @Min(1) @Max(100_000) int queueCapacity,
        @Valid RemoteSettings remote, @Valid @DefaultValue List<DeploymentSettings> deployments,
        @NotNull @Valid @DefaultValue RoutingSettings routing) {

    @AssertTrue(message = "a local model needs a location; a remote model needs remote.base-url or deployments")
    public boolean isWhereaboutsKnown() {
        return backend == null || (backend == ModelBackend.LOCAL ? location != null && !location.isBlank()
                : remote != null || (deployments != null && !deployments.isEmpty()));
    }

    @AssertTrue(message = "only generation models have deployments; an embedding model runs in one place")
    public boolean isEmbeddingInOnePlace() {
        return task != ModelTask.EMBEDDING || deployments == null || deployments.isEmpty();
    }

    @AssertTrue(message = "a model lists its servers either as remote or as deployments, not both")
    public boolean isOneFormUsed() {
        return remote == null || deployments == null || deployments.isEmpty();
    }

    @AssertTrue(message = "deployment names are unique; a remote deployment needs remote.base-url; a local one is "
            + "only possible for a local model, once")
    public boolean isEveryDeploymentPlaced() {
        if (deployments == null) {
            return true;
        }
        Set<String> names = new HashSet<>();
        long local = 0;
        for (DeploymentSettings deployment : deployments) {
            if (deployment == null || (deployment.name() != null && !names.add(deployment.name()))) {
                return false;
            }
            if (deployment.backend() == ModelBackend.LOCAL) {
                local++;
            }
            else if (deployment.remote() == null) {
                return false;
            }
        }
        return local == 0 || (local == 1 && backend == ModelBackend.LOCAL);
    }

    /**
     * Where the model runs, as deployments: those listed, or the one that {@code backend}
     * and {@code remote} describe, named after the model.
     */
    public List<DeploymentSettings> servedBy() {
        if (deployments != null && !deployments.isEmpty()) {
            return deployments;
        }
        return List.of(new DeploymentSettings(name, backend, backend == ModelBackend.LOCAL ? null : remote, 1, 0));
    }

    /**
     * The model requests go to once every deployment has failed them: the first fallback
     * one of its servers names; null when none does.
     */
    public String fallbackModel() {
        return servedBy().stream()
            .map(DeploymentSettings::remote)
            .filter(Objects::nonNull)
            .map(RemoteSettings::fallbackModel)
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(null);
    }

    /**
     * One place a model runs.
     *
     * @param name unique in the factory: usage, efficiency and the capacity view name it
     * @param backend {@code remote} (a server, see {@code remote}) or {@code local} (this
     * process's engine of the model)
     * @param remote the server and its declared node
     * @param weight its share of requests under {@code round-robin}, and how much more
     * in-flight work it takes under {@code least-outstanding} (in-flight requests are
     * divided by it)
     * @param priority under {@code priority}, lower first; the others are its fallbacks,
     * in order
     */
    public record DeploymentSettings(@NotBlank @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}") String name,
            @NotNull @DefaultValue("remote") ModelBackend backend, @Valid RemoteSettings remote,
            @DefaultValue("1") @Min(1) @Max(1000) int weight, @DefaultValue("0") @Min(0) @Max(1000) int priority) {
    }

    /**
     * @param strategy how a deployment is picked for each request
     * @param timeToFirstTokenObjective the latency the model promises: {@code efficiency}
     * only prefers a deployment whose moving average of time to first token is within it
     */
    public record RoutingSettings(@NotNull @DefaultValue("least-outstanding") RoutingStrategy strategy,
            @NotNull @DefaultValue("2s") Duration timeToFirstTokenObjective) {

        /** The defaults: a model that says nothing of routing. */
        public static RoutingSettings defaults() {
            return new RoutingSettings(RoutingStrategy.LEAST_OUTSTANDING, Duration.ofSeconds(2));
        }
    }

    /**
     * @param baseUrl the server's OpenAI base URL, for example
     * {@code http://vllm:8000/v1}
     * @param apiKey sent as a bearer token when set
     * @param upstreamModel the model name the server knows (defaults to {@code name})
     * @param timeout for a whole non-streamed response, and for the first byte of a
     * streamed one
     * @param fallbackModel another configured model that serves requests while this one's
     * circuit is open
     * @param failureRateThreshold percentage of failed calls that opens the circuit
     * @param openFor how long an open circuit refuses calls before trying again
     * @param node the declared node ({@code tokenfactory.nodes[].name}) the server runs
     * on, whose meter measures its requests' energy; without one its requests have no
     * energy figure ({@code NONE}) and name the server's host as their node
     * @param tokenizer the model's Hugging Face {@code tokenizer.json}
     * ({@code classpath:…} or {@code file:…}): counts tokens when the server reports no
     * usage, and weighs streamed chunks
     * @param maxConcurrency requests sent to the server at once (a stream counts until it
     * ends); set it to what the server runs at once (vLLM's {@code --max-num-seqs}), so
     * that the rest wait here, in fair order, rather than in the server's own first-come
     * queue
     * @param queueCapacity requests that may wait for a free slot before new ones get 429
     * @param queueTimeout a request that found no free slot within this long gets 429
     */
    public record RemoteSettings(@NotNull URI baseUrl, String apiKey, String upstreamModel,
            @NotNull @DefaultValue("60s") Duration timeout, String fallbackModel,
            @DefaultValue("50") @Min(1) @Max(100) int failureRateThreshold,
            @NotNull @DefaultValue("30s") Duration openFor, String node, String tokenizer,
            @DefaultValue("256") @Min(1) @Max(100_000) int maxConcurrency,
            @DefaultValue("64") @Min(1) @Max(100_000) int queueCapacity,
            @NotNull @DefaultValue("30s") Duration queueTimeout) {
    }
}
