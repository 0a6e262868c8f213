package io.tokenfactory.inference.remote;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.fairshare.AdmissionRefusedException;
import io.tokenfactory.inference.fairshare.ConcurrencyLimit;
import io.tokenfactory.inference.fairshare.Requester;

/**
 * An OpenAI-compatible server (vLLM, NVIDIA NIM, TGI, Ollama, DJL Serving) behind a
 * concurrency limit, a timeout and a circuit breaker. Server errors, timeouts and refused
 * connections count as failures; a client error (4xx) is the client's, not the server's,
 * and does not. Requests beyond the limit wait in weighted fair order per department
 * ({@link #admit}).
 */
public final class RemoteModelClient {

    private final ModelSettings model;

    private final ModelSettings.DeploymentSettings deployment;

    private final ModelSettings.RemoteSettings remote;

    private final HttpClient http;

    private final CircuitBreaker breaker;

    private final HuggingFaceTokenizer tokenizer;

    private final ConcurrencyLimit slots;

    /**
     * @param tokenizer the model's own tokenizer, or null: then about four UTF-8 bytes
     * make a token
     * @param slots the requests it may have in flight, and those waiting for one
     */
    RemoteModelClient(ModelSettings model, ModelSettings.DeploymentSettings deployment, HttpClient http,
            HuggingFaceTokenizer tokenizer, ConcurrencyLimit slots) {
        this.model = model;
        this.deployment = deployment;
        this.remote = deployment.remote();
        this.http = http;
        this.tokenizer = tokenizer;
        this.slots = slots;
        this.breaker = CircuitBreaker.of("remote-" + deployment.name(),
                CircuitBreakerConfig.custom()
                    .failureRateThreshold(remote.failureRateThreshold())
                    .slidingWindowSize(20)
                    .minimumNumberOfCalls(5)
                    .waitDurationInOpenState(remote.openFor())
                    .permittedNumberOfCallsInHalfOpenState(2)
                    .build());
    }

    public ModelSettings model() {
        return model;
    }

    /** The deployment this server is: usage and routing name it. */
    public ModelSettings.DeploymentSettings deployment() {
        return deployment;
    }

    public ModelSettings.RemoteSettings remote() {
        return remote;
    }

    /** Requests sent to the server now, and those waiting here for a free slot. */
    public int inFlight() {
        return slots == null ? 0 : slots.inFlight();
    }

    public int waiting() {
        return slots == null ? 0 : slots.waiting();
    }

    public String upstreamModel() {
        String upstream = remote.upstreamModel();
        return upstream == null || upstream.isBlank() ? model.name() : upstream;
    }

    public String host() {
        return remote.baseUrl().getHost();
    }

    /**
     * Whether {@link #countTokens} uses the model's own tokenizer (else it estimates).
     */
    public boolean countsExactly() {
        return tokenizer != null;
    }

    /**
     * Tokens of a text by the model's tokenizer (no special tokens), or, without one,
     * about four UTF-8 bytes per token, the usual rule for BPE vocabularies on English
     * text.
     */
    public long countTokens(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        if (tokenizer != null) {
            return tokenizer.encode(text).getIds().length;
        }
        return (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 3) / 4;
    }

    public CircuitBreaker.State state() {
        return breaker.getState();
    }

    /**
     * Waits for a free slot on the server, in weighted fair order; the request may be
     * sent once it has one, and holds it until its response is read to the end.
     * @param work the request's work at most: prompt plus maximum completion tokens
     * @throws AdmissionRefusedException when too many wait, or no slot came free in time
     */
    public ConcurrencyLimit.Permit admit(Requester requester, long work) {
        return slots.acquire(requester, work);
    }

    /**
     * Posts a JSON body to {@code path} under the base URL and returns the open response,
     * its body unread.
     * @throws CallNotPermittedException while the circuit is open
     * @throws RemoteFailure when the server cannot be reached, times out or answers 5xx
     */
    public Exchange post(String path, String json) {
        return post(path, json, null);
    }

    /**
     * The same, carrying the request's W3C {@code traceparent} (when it has one) so that
     * an engine that traces continues the request's trace.
     */
    public Exchange post(String path, String json, String traceparent) {
        breaker.acquirePermission();
        long start = System.nanoTime();
        URI uri = URI.create(stripSlash(remote.baseUrl().toString()) + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
            .timeout(remote.timeout())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(json));
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        if (remote.apiKey() != null && !remote.apiKey().isBlank()) {
            request.header("Authorization", "Bearer " + remote.apiKey());
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        }
        catch (IOException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            throw new RemoteFailure("the model server at " + host() + " could not be reached or timed out", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            breaker.releasePermission();
            throw new RemoteFailure("interrupted", e);
        }
        if (response.statusCode() >= 500) {
            closeQuietly(response.body());
            RemoteFailure failure = new RemoteFailure(
                    "the model server at " + host() + " answered " + response.statusCode(), null);
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, failure);
            throw failure;
        }
        breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return new Exchange(response.statusCode(), response.body());
    }

    /** A failed read of an open response body is the server's failure too. */
    public void failedMidway(Exception e) {
        breaker.onError(0, TimeUnit.NANOSECONDS, e);
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        }
        catch (IOException ignored) {
            // the response is discarded either way
        }
    }

    /** An open upstream response. */
    public record Exchange(int status, InputStream body) {
    }

    /** The server failed: unreachable, timed out, or a 5xx. */
    public static final class RemoteFailure extends RuntimeException {

        RemoteFailure(String message, Throwable cause) {
            super(message, cause);
        }

    }

    static HttpClient client(Duration connectTimeout) {
        return HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
    }

}
