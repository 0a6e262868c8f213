package io.tokenfactory.inference.serving;

import java.time.Clock;
import java.time.Duration;

import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.inference.energy.NodeEnergies;
import io.tokenfactory.inference.energy.NodeEnergy;
import io.tokenfactory.inference.fairshare.Requester;
import io.tokenfactory.inference.generation.ByteVocabulary;
import io.tokenfactory.inference.generation.Generation;
import io.tokenfactory.inference.generation.GenerationEngine;
import io.tokenfactory.inference.generation.GenerationListener;
import io.tokenfactory.inference.generation.GenerationRequest;
import io.tokenfactory.inference.generation.GenerationResult;
import io.tokenfactory.inference.generation.TokenSampler;
import io.tokenfactory.inference.usage.FinishedRequest;
import io.tokenfactory.inference.usage.StartedRequest;
import io.tokenfactory.inference.usage.UsageRecorder;
import io.tokenfactory.inference.usage.WriteAheadUsage;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;

import tools.jackson.databind.json.JsonMapper;

/**
 * Serves a checked request on a local model's continuous-batching engine, streamed or
 * not. The request is written as started before it is submitted; a stream's tokens are
 * sent once durable ({@link EventStream}), and a stream that does not complete is
 * recorded with the tokens its client was sent.
 */
@Component
class LocalGeneration {

    private final UsageRecorder usage;

    private final NodeEnergies nodes;

    private final JsonMapper json;

    private final Duration streamTimeout;

    private final WriteAheadUsage writeAhead;

    private final Clock clock;

    LocalGeneration(UsageRecorder usage, NodeEnergies nodes, JsonMapper json, InferenceProperties properties,
            WriteAheadUsage writeAhead, Clock clock) {
        this.usage = usage;
        this.nodes = nodes;
        this.json = json;
        this.streamTimeout = properties.streamTimeout();
        this.writeAhead = writeAhead;
        this.clock = clock;
    }

    /**
     * @param deployment the model's deployment the engine is
     */
    Object serve(GenerationCall call, GenerationEngine engine, String deployment) {
        int[] prompt = ByteVocabulary.encode(call.prompt());
        int maxTokens = Limits.maxTokens(call, prompt.length);
        TokenSampler sampler = new TokenSampler(call.temperature(), call.topP(), call.seed());
        WriteAheadUsage.Served served = started(call, prompt.length, deployment);
        try {
            return call.stream() ? stream(call, engine, prompt, maxTokens, sampler, served, deployment)
                    : whole(call, engine, prompt, maxTokens, sampler, deployment);
        }
        catch (RuntimeException notSubmitted) {
            served.discard();
            throw notSubmitted;
        }
    }

    private WriteAheadUsage.Served started(GenerationCall call, int promptTokens, String deployment) {
        NodeEnergy node = nodes.local();
        try {
            return writeAhead.open(new StartedRequest(call.requestId(), call.caller(), call.agentRunId(),
                    call.model().name(), "djl", node.node(), node.nodeClass(), node.device(), promptTokens, false,
                    clock.instant(), call.endUser(), deployment));
        }
        catch (RuntimeException e) {
            throw OpenAiException.usageUnrecorded();
        }
    }

    private DeferredResult<ResponseEntity<Object>> whole(GenerationCall call, GenerationEngine engine, int[] prompt,
            int maxTokens, TokenSampler sampler, String deployment) {
        DeferredResult<ResponseEntity<Object>> response = new DeferredResult<>(streamTimeout.toMillis());
        StringBuilder text = new StringBuilder();
        Generation generation = engine
            .submit(new GenerationRequest(prompt, maxTokens, sampler, call.stops(), new GenerationListener() {
                @Override
                public void onText(String piece, int completionTokens) {
                    text.append(piece);
                }

                @Override
                public void onFinish(GenerationResult result) {
                    usage.recordThen(finished(call, result, result.completionTokens(), deployment), result.energy(),
                            recorded -> response.setResult(
                                    result.outcome() == UsageOutcome.COMPLETED && recorded
                                            ? ResponseEntity.ok(OpenAiPayloads.completion(call, call.model().name(),
                                                    text.toString(), result.finishReason(), OpenAiPayloads
                                                        .usage(result.promptTokens(), result.completionTokens())))
                                            : failure(result, recorded)));
                }
            }, Requester.of(call.caller())));
        response.onTimeout(generation::cancel);
        response.onError(error -> generation.cancel());
        return response;
    }

    private Object stream(GenerationCall call, GenerationEngine engine, int[] prompt, int maxTokens,
            TokenSampler sampler, WriteAheadUsage.Served served, String deployment) {
        EventStream events = new EventStream(json, served);
        // the opening chunk goes first: the decode thread may produce text as soon as the
        // request is submitted
        events.send(OpenAiPayloads.chunk(call, call.model().name(), null, true, null,
                OpenAiPayloads.usage(prompt.length, 0)));
        Generation generation = engine
            .submit(new GenerationRequest(prompt, maxTokens, sampler, call.stops(), new GenerationListener() {
                @Override
                public void onText(String piece, int completionTokens) {
                    events.sendTokens(OpenAiPayloads.chunk(call, call.model().name(), piece, false, null,
                            OpenAiPayloads.usage(prompt.length, completionTokens)), completionTokens);
                }

                @Override
                public void onFinish(GenerationResult result) {
                    // a stream that did not complete is billed for what its client was
                    // sent
                    long billed = result.outcome() == UsageOutcome.COMPLETED ? result.completionTokens()
                            : Math.min(result.completionTokens(), served.completionTokensSent());
                    usage.recordThen(finished(call, result, billed, deployment), result.energy(), recorded -> {
                        if (recorded) {
                            served.logged();
                        }
                        if (!recorded) {
                            // as for whole responses: no [DONE] for a result whose usage
                            // is not recorded
                            events.send(OpenAiException.usageUnrecorded().toBody());
                            events.close();
                        }
                        else if (result.outcome() == UsageOutcome.COMPLETED) {
                            events.sendTokens(
                                    OpenAiPayloads.chunk(call, call.model().name(), null, false, result.finishReason(),
                                            OpenAiPayloads.usage(result.promptTokens(), result.completionTokens())),
                                    result.completionTokens());
                            if (call.includeUsage()) {
                                events.send(OpenAiPayloads.usageChunk(call, call.model().name(),
                                        OpenAiPayloads.usage(result.promptTokens(), result.completionTokens())));
                            }
                            events.done();
                        }
                        else {
                            if (result.outcome() == UsageOutcome.FAILED) {
                                events.send(serverError().toBody());
                            }
                            events.close();
                        }
                    });
                }
            }, Requester.of(call.caller())));
        return events.response(streamTimeout, generation::cancel);
    }

    private FinishedRequest finished(GenerationCall call, GenerationResult result, long completionTokens,
            String deployment) {
        NodeEnergy node = nodes.local();
        return new FinishedRequest(call.requestId(), call.caller(), call.agentRunId(), call.model().name(), "djl",
                node.node(), node.nodeClass(), node.device(), result.promptTokens(), completionTokens, result.outcome(),
                result.submittedAt(), result.finishedAt(), result.timeToFirstTokenMs(), false, call.endUser(),
                deployment, 0);
    }

    private static ResponseEntity<Object> failure(GenerationResult result, boolean recorded) {
        OpenAiException error = !recorded ? OpenAiException.usageUnrecorded()
                : result.outcome() == UsageOutcome.CANCELLED
                        ? OpenAiException.unavailable("cancelled", "The request was cancelled before it completed.")
                        : serverError();
        return ResponseEntity.status(error.status()).body(error.toBody());
    }

    private static OpenAiException serverError() {
        return new OpenAiException(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", null, "model_error",
                "The model failed while generating; the tokens it used are recorded.", null);
    }

}
