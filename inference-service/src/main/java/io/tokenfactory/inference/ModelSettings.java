package io.tokenfactory.inference;

import java.net.URI;
import java.time.Duration;

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
 * @param remote where a remote model lives
 */
public record ModelSettings(@NotBlank @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}") String name,
        @NotNull ModelTask task, @NotNull ModelBackend backend, @DefaultValue("PyTorch") String engine,
        @NotBlank @DefaultValue("cpu") @Pattern(regexp = "cpu|gpu\\d*") String device, String location,
        String tokenizer, @NotNull @DefaultValue("256") @Positive Integer contextLength,
        @NotNull @DefaultValue("256") @Positive Integer maxOutputTokens,
        @NotNull @DefaultValue("128") @Positive Integer defaultMaxTokens,
        @DefaultValue("16") @Min(1) @Max(256) int maxBatch, @DefaultValue("64") @Min(1) @Max(100_000) int queueCapacity,
        @Valid RemoteSettings remote) {

    @AssertTrue(message = "a local model needs a location; a remote model needs remote.base-url")
    public boolean isWhereaboutsKnown() {
        return backend == null
                || (backend == ModelBackend.LOCAL ? location != null && !location.isBlank() : remote != null);
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
