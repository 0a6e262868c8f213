package io.tokenfactory.inference.web.openai;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.remote.RemoteBackend;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Serves a request on a remote OpenAI-compatible server: the body passes through with the upstream model name, a
 * stream asks upstream for usage ({@code stream_options.include_usage}) whatever the client asked, and the client
 * gets the usage chunk only if it asked for it. When the server reports no usage, tokens are counted here (about four
 * UTF-8 bytes per token) and the record is flagged as estimated. Remote servers report no energy.
 */
@Component
class RemoteGeneration {

    private static final int MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

    private final UsageWriter usage;
    private final JsonMapper json;
    private final Clock clock = Clock.systemUTC();

    RemoteGeneration(UsageWriter usage, JsonMapper json) {
        this.usage = usage;
        this.json = json;
    }

    /**
     * @param fallback serves the request on the backend's fallback model when the server is unavailable; null if none
     */
    Object serve(GenerationCall call, RemoteBackend backend, Function<GenerationCall, Object> fallback) {
        if (call.maxTokens() != null) {
            Limits.maxTokens(call, 0);
        }
        ObjectNode upstream = call.body().deepCopy();
        upstream.put("model", backend.upstreamModel());
        if (call.stream()) {
            ObjectNode options = upstream.has("stream_options") && upstream.get("stream_options").isObject()
                    ? (ObjectNode) upstream.get("stream_options") : upstream.putObject("stream_options");
            options.put("include_usage", true);
        }
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        RemoteBackend.Exchange exchange;
        try {
            exchange = backend.post(call.kind().path, json.writeValueAsString(upstream));
        } catch (CallNotPermittedException | RemoteBackend.RemoteFailure unavailable) {
            if (fallback != null) {
                return fallback.apply(call);
            }
            throw unavailable instanceof CallNotPermittedException
                    ? OpenAiException.unavailable("upstream_circuit_open", "The model server for '" + call.model().name()
                            + "' is failing; requests are paused for a while. Try again later.")
                    : new OpenAiException(HttpStatus.BAD_GATEWAY, "server_error", null, "upstream_unavailable",
                            "The model server for '" + call.model().name() + "' is unavailable.", null);
        }
        if (exchange.status() >= 400) {
            return passThroughError(exchange);
        }
        return call.stream() ? stream(call, backend, exchange, started, startNanos)
                : whole(call, backend, exchange, started, startNanos);
    }

    private ResponseEntity<Object> whole(GenerationCall call, RemoteBackend backend, RemoteBackend.Exchange exchange,
            Instant started, long startNanos) {
        JsonNode body;
        try (InputStream in = exchange.body()) {
            body = json.readTree(in.readNBytes(MAX_RESPONSE_BYTES));
        } catch (IOException | RuntimeException e) {
            backend.failedMidway(e);
            throw OpenAiException.upstreamInvalidResponse();
        }
        if (!(body instanceof ObjectNode response)) {
            throw OpenAiException.upstreamInvalidResponse();
        }
        response.put("model", call.model().name());
        long elapsedMs = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
        Counts counts = counts(response.get("usage"), call.prompt(), completionText(call, response));
        if (counts.estimated()) {
            response.set("usage", json.valueToTree(OpenAiPayloads.usage(counts.prompt(), counts.completion())));
        }
        // a whole response: its first token came with the rest
        boolean recorded = usage.recordNow(usageOf(call, backend, counts, UsageOutcome.COMPLETED, started, elapsedMs,
                elapsedMs));
        if (!recorded) {
            throw OpenAiException.usageUnrecorded();
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(response);
    }

    private ResponseEntity<StreamingResponseBody> stream(GenerationCall call, RemoteBackend backend,
            RemoteBackend.Exchange exchange, Instant started, long startNanos) {
        StreamingResponseBody body = out -> {
            StringBuilder text = new StringBuilder();
            JsonNode reportedUsage = null;
            long firstTokenMs = -1;
            UsageOutcome outcome = UsageOutcome.FAILED;
            try (BufferedReader upstream = new BufferedReader(new InputStreamReader(exchange.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = readLine(upstream, backend)) != null) {
                    if (!line.startsWith("data:")) {
                        continue;
                    }
                    String data = line.substring(5).trim();
                    if ("[DONE]".equals(data)) {
                        outcome = UsageOutcome.COMPLETED;
                        break;
                    }
                    JsonNode chunk = json.readTree(data);
                    if (!(chunk instanceof ObjectNode object)) {
                        continue;
                    }
                    JsonNode chunkUsage = object.get("usage");
                    if (chunkUsage != null && !chunkUsage.isNull()) {
                        reportedUsage = chunkUsage;
                    }
                    String delta = deltaText(call, object);
                    if (!delta.isEmpty() && firstTokenMs < 0) {
                        firstTokenMs = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
                    }
                    text.append(delta);
                    boolean usageOnly = object.path("choices").isArray() && object.path("choices").isEmpty();
                    if (usageOnly && !call.includeUsage()) {
                        continue;
                    }
                    if (!call.includeUsage()) {
                        object.remove("usage");
                    }
                    object.put("model", call.model().name());
                    if (!write(out, "data: " + json.writeValueAsString(object) + "\n\n")) {
                        outcome = UsageOutcome.CANCELLED;
                        break;
                    }
                }
            } catch (UpstreamBroken | JacksonException e) {
                // a broken connection or a chunk that is not JSON: what was served so far is still recorded
                outcome = UsageOutcome.FAILED;
            }
            Counts counts = counts(reportedUsage, call.prompt(), text.toString());
            long elapsedMs = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
            usage.recordNow(usageOf(call, backend, counts, outcome, started, elapsedMs, firstTokenMs));
            if (outcome == UsageOutcome.COMPLETED) {
                if (call.includeUsage() && counts.estimated()) {
                    write(out, "data: " + json.writeValueAsString(OpenAiPayloads.usageChunk(call, call.model().name(),
                            OpenAiPayloads.usage(counts.prompt(), counts.completion()))) + "\n\n");
                }
                write(out, "data: [DONE]\n\n");
            }
        };
        return ResponseEntity.ok().contentType(EventStream.EVENT_STREAM).cacheControl(CacheControl.noCache())
                .header("X-Accel-Buffering", "no").body(body);
    }

    private static String readLine(BufferedReader upstream, RemoteBackend backend) {
        try {
            return upstream.readLine();
        } catch (IOException e) {
            backend.failedMidway(e);
            throw new UpstreamBroken();
        }
    }

    private static boolean write(OutputStream out, String event) {
        try {
            out.write(event.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (IOException clientLeft) {
            return false;
        }
    }

    private ResponseEntity<Object> passThroughError(RemoteBackend.Exchange exchange) {
        HttpStatus status = HttpStatus.resolve(exchange.status());
        JsonNode error;
        try (InputStream in = exchange.body()) {
            error = json.readTree(in.readNBytes(1024 * 1024));
        } catch (IOException | RuntimeException unreadable) {
            error = null;
        }
        if (error == null || !error.has("error")) {
            OpenAiException wrapped = new OpenAiException(status == null ? HttpStatus.BAD_REQUEST : status,
                    "invalid_request_error", null, "upstream_rejected", "The model server rejected the request.", null);
            return ResponseEntity.status(wrapped.status()).body(OpenAiErrorAdvice.body(wrapped));
        }
        return ResponseEntity.status(exchange.status()).contentType(MediaType.APPLICATION_JSON).body(error);
    }

    private static String completionText(GenerationCall call, JsonNode response) {
        JsonNode choice = response.path("choices").path(0);
        return call.kind() == GenerationCall.Kind.CHAT ? choice.path("message").path("content").asString("")
                : choice.path("text").asString("");
    }

    private static String deltaText(GenerationCall call, JsonNode chunk) {
        JsonNode choice = chunk.path("choices").path(0);
        return call.kind() == GenerationCall.Kind.CHAT ? choice.path("delta").path("content").asString("")
                : choice.path("text").asString("");
    }

    /** Token counts as reported, or counted here when the server reported none. */
    record Counts(long prompt, long completion, boolean estimated) {
    }

    static Counts counts(JsonNode reported, String prompt, String completion) {
        if (reported != null && reported.isObject() && reported.path("prompt_tokens").isIntegralNumber()
                && reported.path("completion_tokens").isIntegralNumber()) {
            return new Counts(Math.max(0, reported.get("prompt_tokens").asLong()),
                    Math.max(0, reported.get("completion_tokens").asLong()), false);
        }
        return new Counts(estimate(prompt), estimate(completion), true);
    }

    /** About four UTF-8 bytes per token, the usual rule for BPE vocabularies on English text. */
    static long estimate(String text) {
        return text == null || text.isEmpty() ? 0 : (text.getBytes(StandardCharsets.UTF_8).length + 3) / 4;
    }

    private UsageWriter.Usage usageOf(GenerationCall call, RemoteBackend backend, Counts counts, UsageOutcome outcome,
            Instant started, long elapsedMs, long firstTokenMs) {
        return new UsageWriter.Usage(call.requestId(), call.model().name(), call.caller(), call.agentRunId(), "remote", backend.host(),
                counts.prompt(), counts.completion(), outcome, started, started.plusMillis(elapsedMs), firstTokenMs, 0,
                EnergySource.NONE, 0, counts.estimated());
    }

    private static final class UpstreamBroken extends RuntimeException {
        UpstreamBroken() {
            super(null, null, false, false);
        }
    }
}
