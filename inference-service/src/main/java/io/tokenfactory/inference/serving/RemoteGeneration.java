package io.tokenfactory.inference.serving;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import jakarta.servlet.http.HttpServletResponse;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;

import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.energy.NodeEnergies;
import io.tokenfactory.inference.energy.NodeEnergy;
import io.tokenfactory.inference.energy.Work;
import io.tokenfactory.inference.fairshare.ConcurrencyLimit;
import io.tokenfactory.inference.fairshare.Requester;
import io.tokenfactory.inference.remote.RemoteModelClient;
import io.tokenfactory.inference.usage.FinishedRequest;
import io.tokenfactory.inference.usage.StartedRequest;
import io.tokenfactory.inference.usage.UsageRecorder;
import io.tokenfactory.inference.usage.WriteAheadUsage;
import io.tokenfactory.support.tracing.Traces;
import io.tokenfactory.inference.usage.WriteAheadUsage.ProgressNotDurable;

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
 * Serves a request on a remote OpenAI-compatible server: the body passes through with the
 * upstream model name, a stream asks upstream for usage
 * ({@code stream_options.include_usage}) whatever the client asked, and the client gets
 * the usage chunk only if it asked for it. When the server reports no usage, tokens are
 * counted here (with the model's tokenizer, else about four UTF-8 bytes per token) and
 * the record is flagged as estimated. The request's work is told to its node's ledger as
 * it happens: its prompt when it is sent, each streamed chunk's tokens as it arrives; a
 * whole response is weighed at the node's observed rate while it runs. Its energy is the
 * node's measured energy shared out by that work. A request first waits for a slot on the
 * server (in weighted fair order per department) and holds it until its response is read
 * to the end.
 */
@Component
class RemoteGeneration {

    private static final int MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

    private final UsageRecorder usage;

    private final NodeEnergies nodes;

    private final JsonMapper json;

    private final Clock clock;

    private final WriteAheadUsage writeAhead;

    private final Traces traces;

    RemoteGeneration(UsageRecorder usage, NodeEnergies nodes, JsonMapper json, Clock clock, WriteAheadUsage writeAhead,
            Traces traces) {
        this.clock = clock;
        this.traces = traces;
        this.writeAhead = writeAhead;
        this.usage = usage;
        this.nodes = nodes;
        this.json = json;
    }

    /**
     * @param fallback serves the request elsewhere (the next deployment, the fallback
     * model) when the server is unavailable; null if there is nowhere else
     * @param holdsSlot told once the request holds a slot on the server (it counts as
     * running there from then on)
     */
    Object serve(GenerationCall call, RemoteModelClient backend, Function<GenerationCall, Object> fallback,
            Runnable holdsSlot) {
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
        NodeEnergy node = nodes.forRemote(backend.remote());
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        // counted once: it weighs the work, and it is the prompt's usage when the server
        // reports none
        long promptTokens = backend.countTokens(call.prompt());
        // waiting for a slot is no work on the node; the wait counts in the request's
        // time,
        // as a local request's wait for a row does
        ConcurrencyLimit.Permit slot = backend.admit(Requester.of(call.caller()),
                promptTokens + (call.maxTokens() != null ? call.maxTokens() : call.model().defaultMaxTokens()));
        holdsSlot.run();
        long queuedMs = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
        // a whole response is computed before its headers come back: its work starts when
        // it is sent
        Work work = call.stream() ? null : node.start(false);
        if (work != null) {
            work.tokens(promptTokens);
        }
        RemoteModelClient.Exchange exchange;
        try {
            // an engine that traces (vLLM with --otlp-traces-endpoint) joins the
            // request's trace
            exchange = backend.post(call.kind().path, json.writeValueAsString(upstream), traces.currentTraceparent());
        }
        catch (CallNotPermittedException | RemoteModelClient.RemoteFailure unavailable) {
            slot.close();
            settleFailedAttempt(call, backend, node, work, started);
            if (fallback != null) {
                return fallback.apply(call);
            }
            throw unavailable instanceof CallNotPermittedException
                    ? OpenAiException.unavailable("upstream_circuit_open",
                            "The model server for '" + call.model().name()
                                    + "' is failing; requests are paused for a while. Try again later.")
                    : new OpenAiException(HttpStatus.BAD_GATEWAY, "server_error", null, "upstream_unavailable",
                            "The model server for '" + call.model().name() + "' is unavailable.", null);
        }
        catch (RuntimeException notSent) {
            slot.close();
            throw notSent;
        }
        if (exchange.status() >= 400) {
            settleFailedAttempt(call, backend, node, work, started);
            try {
                return passThroughError(exchange);
            }
            finally {
                slot.close();
            }
        }
        // answered: written as started before anything of it leaves
        WriteAheadUsage.Served served;
        try {
            served = writeAhead.open(new StartedRequest(call.requestId(), call.caller(), call.agentRunId(),
                    call.model().name(), "remote", node.node(), node.nodeClass(), node.device(), promptTokens,
                    !backend.countsExactly(), started, call.endUser(), backend.deployment().name()));
        }
        catch (RuntimeException unrecorded) {
            closeQuietly(exchange);
            slot.close();
            settleFailedAttempt(call, backend, node, work, started);
            throw OpenAiException.usageUnrecorded();
        }
        if (call.stream()) {
            work = node.start(true);
            work.tokens(promptTokens);
            return stream(call, backend, node, work, exchange, started, startNanos, promptTokens, served, slot,
                    queuedMs);
        }
        try {
            return whole(call, backend, node, work, exchange, started, startNanos, promptTokens, slot, queuedMs);
        }
        finally {
            slot.close();
        }
    }

    /**
     * A sent request that got no answer to serve: when it never reached a closed metering
     * window it is withdrawn; otherwise it held the node's time (a timeout, a slow error)
     * and is recorded as a failed attempt with its share.
     */
    private void settleFailedAttempt(GenerationCall call, RemoteModelClient backend, NodeEnergy node, Work work,
            Instant started) {
        if (work != null) {
            usage.recordUnlessWithdrawn(work,
                    () -> new FinishedRequest(call.requestId() + "-attempt", call.caller(), call.agentRunId(),
                            call.model().name(), "remote", node.node(), node.nodeClass(), node.device(), 0, 0,
                            UsageOutcome.FAILED, started, clock.instant(), -1, !backend.countsExactly(), call.endUser(),
                            backend.deployment().name(), 0));
        }
    }

    private ResponseEntity<Object> whole(GenerationCall call, RemoteModelClient backend, NodeEnergy node, Work work,
            RemoteModelClient.Exchange exchange, Instant started, long startNanos, long promptTokens,
            ConcurrencyLimit.Permit slot, long queuedMs) {
        JsonNode body;
        try (InputStream in = exchange.body()) {
            body = json.readTree(in.readNBytes(MAX_RESPONSE_BYTES));
        }
        catch (IOException | RuntimeException e) {
            backend.failedMidway(e);
            recordFailure(call, backend, node, work, started, promptTokens, queuedMs);
            throw OpenAiException.upstreamInvalidResponse();
        }
        if (!(body instanceof ObjectNode response)) {
            recordFailure(call, backend, node, work, started, promptTokens, queuedMs);
            throw OpenAiException.upstreamInvalidResponse();
        }
        // the client sees this service's request id, the one its usage is recorded under
        response.put("id", call.requestId());
        response.put("model", call.model().name());
        long elapsedMs = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
        Counts counts = counts(response.get("usage"), promptTokens, completionText(call, response),
                backend::countTokens);
        slot.release(counts.prompt() + counts.completion());
        if (counts.estimated()) {
            response.set("usage", json.valueToTree(OpenAiPayloads.usage(counts.prompt(), counts.completion())));
        }
        // a whole response: its first token came with the rest
        boolean recorded = usage.record(
                finished(call, backend, node, counts, UsageOutcome.COMPLETED, started, elapsedMs, elapsedMs, queuedMs),
                work.finish(counts.completion()));
        if (!recorded) {
            throw OpenAiException.usageUnrecorded();
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(response);
    }

    private void recordFailure(GenerationCall call, RemoteModelClient backend, NodeEnergy node, Work work,
            Instant started, long promptTokens, long queuedMs) {
        long elapsedMs = Duration.between(started, clock.instant()).toMillis();
        usage.record(finished(call, backend, node, new Counts(promptTokens, 0, true), UsageOutcome.FAILED, started,
                elapsedMs, -1, queuedMs), work.finish(0));
    }

    private ResponseEntity<StreamingResponseBody> stream(GenerationCall call, RemoteModelClient backend,
            NodeEnergy node, Work work, RemoteModelClient.Exchange exchange, Instant started, long startNanos,
            long promptTokens, WriteAheadUsage.Served served, ConcurrencyLimit.Permit slot, long queuedMs) {
        HttpServletResponse response = EventStream.currentResponse();
        StreamingResponseBody relay = body -> {
            OutputStream out = EventStream.flushing(body, response);
            StringBuilder text = new StringBuilder();
            JsonNode reportedUsage = null;
            long firstTokenMs = -1;
            long completionTokens = 0;
            // chunks read but not sent yet: sent once the tokens they bring are durable
            List<HeldChunk> held = new ArrayList<>();
            UsageOutcome outcome = UsageOutcome.FAILED;
            try (UpstreamLines upstream = new UpstreamLines(exchange.body())) {
                String line;
                while ((line = readLine(upstream, backend)) != null) {
                    if (!line.startsWith("data:")) {
                        // an event's blank line: what upstream has sent by now goes out
                        if (!releaseUnlessMoreWaits(out, held, served, upstream)) {
                            outcome = UsageOutcome.CANCELLED;
                            break;
                        }
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
                    boolean usageOnly = object.path("choices").isArray() && object.path("choices").isEmpty();
                    if (chunkUsage != null && !chunkUsage.isNull() && (usageOnly || !call.continuousUsage())) {
                        reportedUsage = chunkUsage;
                    }
                    String delta = deltaText(call, object);
                    if (!delta.isEmpty()) {
                        if (firstTokenMs < 0) {
                            firstTokenMs = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
                        }
                        // engines stream a token a chunk; with the model's tokenizer,
                        // count what the chunk holds
                        long tokens = backend.countsExactly() ? Math.max(1, backend.countTokens(delta)) : 1;
                        work.tokens(tokens);
                        completionTokens += tokens;
                    }
                    text.append(delta);
                    if (usageOnly && !call.includeUsage()) {
                        continue;
                    }
                    if (!call.includeUsage()) {
                        object.remove("usage");
                    }
                    else if (call.continuousUsage() && !usageOnly) {
                        object.set("usage", json.valueToTree(OpenAiPayloads.usage(promptTokens, completionTokens)));
                    }
                    object.put("id", call.requestId());
                    object.put("model", call.model().name());
                    held.add(new HeldChunk("data: " + json.writeValueAsString(object) + "\n\n", completionTokens));
                    if (!releaseUnlessMoreWaits(out, held, served, upstream)) {
                        outcome = UsageOutcome.CANCELLED;
                        break;
                    }
                }
                if (outcome == UsageOutcome.COMPLETED && !release(out, held, served)) {
                    outcome = UsageOutcome.CANCELLED;
                }
            }
            catch (UpstreamBroken | JacksonException e) {
                // a broken connection or a chunk that is not JSON: what was sent so far
                // is still recorded
                outcome = UsageOutcome.FAILED;
            }
            catch (ProgressNotDurable e) {
                EventStream.write(out,
                        "data: " + json.writeValueAsString(OpenAiException.usageUnrecorded().toBody()) + "\n\n");
                outcome = UsageOutcome.FAILED;
            }
            // a stream that did not complete is billed for what its client was sent
            Counts counts = outcome == UsageOutcome.COMPLETED
                    ? counts(reportedUsage, promptTokens, text.toString(), backend::countTokens)
                    : new Counts(promptTokens, served.completionTokensSent(), !backend.countsExactly());
            // the upstream response is over: its slot goes to the next in line
            slot.release(counts.prompt() + counts.completion());
            long elapsedMs = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
            boolean recorded = usage.record(
                    finished(call, backend, node, counts, outcome, started, elapsedMs, firstTokenMs, queuedMs),
                    work.finish(counts.completion()));
            if (outcome == UsageOutcome.COMPLETED) {
                if (!recorded) {
                    EventStream.write(out,
                            "data: " + json.writeValueAsString(OpenAiException.usageUnrecorded().toBody()) + "\n\n");
                    return;
                }
                if (call.includeUsage() && counts.estimated()) {
                    EventStream.write(out, "data: " + json.writeValueAsString(OpenAiPayloads.usageChunk(call,
                            call.model().name(), OpenAiPayloads.usage(counts.prompt(), counts.completion()))) + "\n\n");
                }
                EventStream.write(out, "data: [DONE]\n\n");
            }
        };
        StreamingResponseBody body = out -> {
            try {
                relay.writeTo(out);
            }
            finally {
                // whatever happened, the server's slot is free once the stream is over
                slot.close();
            }
        };
        return ResponseEntity.ok()
            .contentType(EventStream.EVENT_STREAM)
            .cacheControl(CacheControl.noCache())
            .header("X-Accel-Buffering", "no")
            .body(body);
    }

    /**
     * Releases the held chunks unless upstream has more waiting in the buffer (then they
     * go out together, up to a batch); false when the client left.
     */
    private static boolean releaseUnlessMoreWaits(OutputStream out, List<HeldChunk> held, WriteAheadUsage.Served served,
            UpstreamLines upstream) {
        if (held.isEmpty()
                || (upstream.buffered() && !served.batchFull(held.get(held.size() - 1).completionTokens()))) {
            return true;
        }
        return release(out, held, served);
    }

    /**
     * A chunk read from upstream, and the request's completion tokens once it is sent.
     */
    private record HeldChunk(String event, long completionTokens) {
    }

    /**
     * Sends the held chunks once the completion tokens they bring are durable; false when
     * the client left.
     */
    private static boolean release(OutputStream out, List<HeldChunk> held, WriteAheadUsage.Served served) {
        if (held.isEmpty()) {
            return true;
        }
        long completionTokens = held.get(held.size() - 1).completionTokens();
        served.beforeSending(completionTokens);
        // one write for the batch: between the commit of its count and the chunks leaving
        // there is no other step a crash could fall into
        StringBuilder chunks = new StringBuilder();
        held.forEach(chunk -> chunks.append(chunk.event()));
        held.clear();
        // counted as sent before the write: once it starts, the client may have them
        served.sent(completionTokens);
        return EventStream.write(out, chunks.toString());
    }

    private static String readLine(UpstreamLines upstream, RemoteModelClient backend) {
        try {
            return upstream.readLine();
        }
        catch (IOException e) {
            backend.failedMidway(e);
            throw new UpstreamBroken();
        }
    }

    private static void closeQuietly(RemoteModelClient.Exchange exchange) {
        try (InputStream in = exchange.body()) {
            // nothing of it is read
        }
        catch (IOException | RuntimeException ignored) {
            // the connection goes either way
        }
    }

    private ResponseEntity<Object> passThroughError(RemoteModelClient.Exchange exchange) {
        HttpStatus status = HttpStatus.resolve(exchange.status());
        JsonNode error;
        try (InputStream in = exchange.body()) {
            error = json.readTree(in.readNBytes(1024 * 1024));
        }
        catch (IOException | RuntimeException unreadable) {
            error = null;
        }
        if (error == null || !error.has("error")) {
            OpenAiException wrapped = new OpenAiException(status == null ? HttpStatus.BAD_REQUEST : status,
                    "invalid_request_error", null, "upstream_rejected", "The model server rejected the request.", null);
            return ResponseEntity.status(wrapped.status()).body(wrapped.toBody());
        }
        return ResponseEntity.status(exchange.status()).contentType(MediaType.APPLICATION_JSON).body(error);
    }

    /**
     * The text of a whole response's first choice: a chat message's content or a
     * completion's text.
     */
    static String completionText(GenerationCall call, JsonNode response) {
        JsonNode choice = response.path("choices").path(0);
        return call.kind() == GenerationCall.Kind.CHAT ? choice.path("message").path("content").asString("")
                : choice.path("text").asString("");
    }

    /**
     * The text a stream chunk adds: a chat delta's content or a completion chunk's text.
     */
    static String deltaText(GenerationCall call, JsonNode chunk) {
        JsonNode choice = chunk.path("choices").path(0);
        return call.kind() == GenerationCall.Kind.CHAT ? choice.path("delta").path("content").asString("")
                : choice.path("text").asString("");
    }

    /** Token counts as reported, or counted here when the server reported none. */
    record Counts(long prompt, long completion, boolean estimated) {
    }

    /**
     * @param countTokens the backend's token count of a text, for a completion the server
     * reported none for
     */
    static Counts counts(JsonNode reported, long promptTokens, String completion, ToLongFunction<String> countTokens) {
        if (reported != null && reported.isObject() && reported.path("prompt_tokens").isIntegralNumber()
                && reported.path("completion_tokens").isIntegralNumber()) {
            return new Counts(Math.max(0, reported.get("prompt_tokens").asLong()),
                    Math.max(0, reported.get("completion_tokens").asLong()), false);
        }
        return new Counts(promptTokens, countTokens.applyAsLong(completion), true);
    }

    private FinishedRequest finished(GenerationCall call, RemoteModelClient backend, NodeEnergy node, Counts counts,
            UsageOutcome outcome, Instant started, long elapsedMs, long firstTokenMs, long queuedMs) {
        return new FinishedRequest(call.requestId(), call.caller(), call.agentRunId(), call.model().name(), "remote",
                node.node(), node.nodeClass(), node.device(), counts.prompt(), counts.completion(), outcome, started,
                started.plusMillis(elapsedMs), firstTokenMs, counts.estimated(), call.endUser(),
                backend.deployment().name(), queuedMs);
    }

    private static final class UpstreamBroken extends RuntimeException {

        UpstreamBroken() {
            super(null, null, false, false);
        }

    }

}
