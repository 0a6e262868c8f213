package io.tokenfactory.inference.serving;

import java.time.Duration;

import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.inference.energy.NodeEnergies;
import io.tokenfactory.inference.energy.NodeEnergy;
import io.tokenfactory.inference.generation.ByteVocabulary;
import io.tokenfactory.inference.generation.Generation;
import io.tokenfactory.inference.generation.GenerationEngine;
import io.tokenfactory.inference.generation.GenerationListener;
import io.tokenfactory.inference.generation.GenerationRequest;
import io.tokenfactory.inference.generation.GenerationResult;
import io.tokenfactory.inference.generation.TokenSampler;
import io.tokenfactory.inference.usage.FinishedRequest;
import io.tokenfactory.inference.usage.UsageRecorder;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;

import tools.jackson.databind.json.JsonMapper;

/**
 * Serves a checked request on a local model's continuous-batching engine, streamed or
 * not.
 */
@Component
class LocalGeneration {

    private final UsageRecorder usage;

    private final NodeEnergies nodes;

    private final JsonMapper json;

    private final Duration streamTimeout;

    LocalGeneration(UsageRecorder usage, NodeEnergies nodes, JsonMapper json, InferenceProperties properties) {
        this.usage = usage;
        this.nodes = nodes;
        this.json = json;
        this.streamTimeout = properties.streamTimeout();
    }

    Object serve(GenerationCall call, GenerationEngine engine) {
        int[] prompt = ByteVocabulary.encode(call.prompt());
        int maxTokens = Limits.maxTokens(call, prompt.length);
        TokenSampler sampler = new TokenSampler(call.temperature(), call.topP(), call.seed());
        return call.stream() ? stream(call, engine, prompt, maxTokens, sampler)
                : whole(call, engine, prompt, maxTokens, sampler);
    }

    private DeferredResult<ResponseEntity<Object>> whole(GenerationCall call, GenerationEngine engine, int[] prompt,
            int maxTokens, TokenSampler sampler) {
        DeferredResult<ResponseEntity<Object>> response = new DeferredResult<>(streamTimeout.toMillis());
        StringBuilder text = new StringBuilder();
        Generation generation = engine
            .submit(new GenerationRequest(prompt, maxTokens, sampler, call.stops(), new GenerationListener() {
                @Override
                public void onText(String piece) {
                    text.append(piece);
                }

                @Override
                public void onFinish(GenerationResult result) {
                    usage.recordThen(finished(call, result), result.energy(),
                            recorded -> response.setResult(
                                    result.outcome() == UsageOutcome.COMPLETED && recorded
                                            ? ResponseEntity.ok(OpenAiPayloads.completion(call, call.model().name(),
                                                    text.toString(), result.finishReason(), OpenAiPayloads
                                                        .usage(result.promptTokens(), result.completionTokens())))
                                            : failure(result, recorded)));
                }
            }));
        response.onTimeout(generation::cancel);
        response.onError(error -> generation.cancel());
        return response;
    }

    private Object stream(GenerationCall call, GenerationEngine engine, int[] prompt, int maxTokens,
            TokenSampler sampler) {
        EventStream events = new EventStream(json);
        // the opening chunk goes first: the decode thread may produce text as soon as the
        // request is submitted
        events.send(OpenAiPayloads.chunk(call, call.model().name(), null, true, null));
        Generation generation = engine
            .submit(new GenerationRequest(prompt, maxTokens, sampler, call.stops(), new GenerationListener() {
                @Override
                public void onText(String piece) {
                    events.send(OpenAiPayloads.chunk(call, call.model().name(), piece, false, null));
                }

                @Override
                public void onFinish(GenerationResult result) {
                    usage.recordThen(finished(call, result), result.energy(), recorded -> {
                        if (!recorded) {
                            // as for whole responses: no [DONE] for a result whose usage
                            // is not recorded
                            events.send(OpenAiException.usageUnrecorded().toBody());
                            events.close();
                        }
                        else if (result.outcome() == UsageOutcome.COMPLETED) {
                            events.send(OpenAiPayloads.chunk(call, call.model().name(), null, false,
                                    result.finishReason()));
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
            }));
        return events.response(streamTimeout, generation::cancel);
    }

    private FinishedRequest finished(GenerationCall call, GenerationResult result) {
        NodeEnergy node = nodes.local();
        return new FinishedRequest(call.requestId(), call.caller(), call.agentRunId(), call.model().name(), "djl",
                node.node(), node.nodeClass(), node.device(), result.promptTokens(), result.completionTokens(),
                result.outcome(), result.submittedAt(), result.finishedAt(), result.timeToFirstTokenMs(), false);
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
