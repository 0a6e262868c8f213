package io.tokenfactory.agents.runs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.agents.AgentProperties;
import io.tokenfactory.agents.clients.GatewayClient;
import io.tokenfactory.agents.definition.AgentCatalog;
import io.tokenfactory.agents.definition.AgentDefinition;
import io.tokenfactory.agents.definition.AgentDefinition.Agent;
import io.tokenfactory.agents.tools.AgentTools;
import io.tokenfactory.agents.keys.AgentCredentials;
import io.tokenfactory.agents.runs.RunQueue.ClaimedRun;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Executes one run: system instructions, the agent's memory and the task go to chat
 * completions through the gateway with the agent's own key; tool calls are executed and
 * answered until the model gives a final answer or a limit is reached. Every step is
 * recorded with its tokens; the run's id travels as {@code X-Agent-Run-Id}, so metering
 * and billing know the run's joules and cost.
 */
@Component
class RunExecutor {

    /**
     * What the dispatcher knows about a run in progress; the heartbeat sets the flags.
     */
    static final class RunningRun {

        final ClaimedRun run;

        final Instant deadline;

        volatile boolean cancelRequested;

        volatile boolean leaseLost;

        RunningRun(ClaimedRun run, Instant deadline) {
            this.run = run;
            this.deadline = deadline;
        }

    }

    /** A run ends early: how, and why. */
    private static final class RunEnded extends Exception {

        final RunStatus outcome;

        final Instant retryAfter;

        RunEnded(RunStatus outcome, String message, Instant retryAfter) {
            super(message, null, false, false);
            this.outcome = outcome;
            this.retryAfter = retryAfter;
        }

    }

    private static final Logger log = LoggerFactory.getLogger(RunExecutor.class);

    private static final AtomicInteger CALL_THREADS = new AtomicInteger();

    private final AgentCatalog catalog;

    private final AgentTools tools;

    private final AgentCredentials credentials;

    private final RunRecords records;

    private final InferenceAvailability inference;

    private final JsonMapper json;

    private final Clock clock;

    private final MeterRegistry meters;

    private final AgentProperties.Runs settings;

    private final GatewayClient gateway;

    // completions are awaited from the run's thread, which gives up on them at once when
    // the run is stopped
    private final ExecutorService calls = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "agent-completion-" + CALL_THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    RunExecutor(AgentCatalog catalog, AgentTools tools, AgentCredentials credentials, RunRecords records,
            InferenceAvailability inference, GatewayClient gateway, JsonMapper json, Clock clock, MeterRegistry meters,
            AgentProperties properties) {
        this.catalog = catalog;
        this.tools = tools;
        this.credentials = credentials;
        this.records = records;
        this.inference = inference;
        this.json = json;
        this.clock = clock;
        this.meters = meters;
        this.settings = properties.runs();
        this.gateway = gateway;
    }

    void execute(RunningRun running, String owner) {
        ClaimedRun run = running.run;
        meters.timer("tokenfactory.agents.run.start.delay")
            .record(Duration.between(run.scheduledFor(), run.startedAt()));
        RunStatus outcome;
        String output = null;
        String error = null;
        Instant retryAfter = null;
        try {
            output = loop(running, owner);
            outcome = RunStatus.SUCCEEDED;
        }
        catch (RunEnded ended) {
            outcome = ended.outcome;
            error = ended.getMessage();
            retryAfter = ended.retryAfter;
        }
        catch (RuntimeException unexpected) {
            log.error("Run {} of agent {} failed", run.id(), run.agentId(), unexpected);
            outcome = RunStatus.FAILED;
            error = "internal error: " + unexpected.getClass().getSimpleName();
        }
        if (running.leaseLost) {
            return; // another replica declared it orphaned; its end is already recorded
        }
        records.finish(run.id(), run.agentId(), owner, outcome, output, error, retryAfter);
        meters.counter("tokenfactory.agents.runs", "outcome", outcome.name()).increment();
    }

    private String loop(RunningRun running, String owner) throws RunEnded {
        ClaimedRun run = running.run;
        Agent agent = catalog.get(run.agentId());
        AgentDefinition definition = catalog.version(run.agentId(), run.version());
        String secret;
        try {
            secret = credentials.secretFor(agent);
        }
        catch (AgentCredentials.Unavailable unavailable) {
            throw unavailable.gatewayDown()
                    ? new RunEnded(RunStatus.INFERENCE_UNAVAILABLE, unavailable.getMessage(), inference.unavailable())
                    : new RunEnded(RunStatus.FAILED, unavailable.getMessage(), null);
        }
        ArrayNode messages = json.createArrayNode();
        messages.addObject().put("role", "system").put("content", systemPrompt(definition, tools.memory(agent.id())));
        messages.addObject()
            .put("role", "user")
            .put("content", run.input() != null && !run.input().isBlank() ? run.input() : "It is " + clock.instant()
                    + ". This is your " + run.trigger().toLowerCase() + " run: do your task.");
        long used = 0;
        for (int step = 1; step <= definition.maxSteps(); step++) {
            if (running.cancelRequested || running.leaseLost) {
                throw new RunEnded(RunStatus.CANCELLED, running.leaseLost ? "the lease was lost" : "cancelled", null);
            }
            long remaining = definition.maxTokensPerRun() - used;
            if (remaining <= 0) {
                throw new RunEnded(RunStatus.LIMIT_REACHED,
                        "the run used its " + definition.maxTokensPerRun() + " tokens", null);
            }
            ObjectNode request = json.createObjectNode();
            request.put("model", definition.model());
            request.set("messages", messages);
            if (remaining < 256) {
                // asked for only near the run's limit: a larger max_tokens than the model
                // allows is a 400, and
                // left out the model's own default applies
                request.put("max_tokens", remaining);
            }
            if (!definition.tools().isEmpty()) {
                request.set("tools", json.valueToTree(tools.definitions(definition.tools())));
            }
            JsonNode response = complete(running, agent, secret, request);
            long prompt = response.path("usage").path("prompt_tokens").asLong(0);
            long completion = response.path("usage").path("completion_tokens").asLong(0);
            used += prompt + completion;
            JsonNode choice = response.path("choices").path(0);
            JsonNode message = choice.path("message");
            String content = message.path("content").isString() ? message.path("content").asString() : null;
            JsonNode calls = message.path("tool_calls");
            ArrayNode recordedCalls = json.createArrayNode();
            if (calls.isArray() && !calls.isEmpty()) {
                ObjectNode assistant = messages.addObject().put("role", "assistant");
                assistant.set("content", message.path("content").isString() ? message.get("content") : null);
                assistant.set("tool_calls", calls);
                for (JsonNode call : calls) {
                    String id = call.path("id").asString("");
                    String name = call.path("function").path("name").asString("");
                    String arguments = call.path("function").path("arguments").asString("");
                    AgentTools.ToolResult result = definition.tools().contains(name)
                            ? tools.call(agent.id(), name, arguments)
                            : new AgentTools.ToolResult("error: '" + name + "' is not one of this agent's tools", true);
                    messages.addObject().put("role", "tool").put("tool_call_id", id).put("content", result.content());
                    recordedCalls.addObject()
                        .put("id", id)
                        .put("name", name)
                        .put("arguments", arguments)
                        .put("result", result.content())
                        .put("error", result.error());
                }
            }
            if (!records.step(run.id(), owner, step, prompt, completion, choice.path("finish_reason").asString(null),
                    content, recordedCalls.isEmpty() ? null : recordedCalls.toString())) {
                running.leaseLost = true;
                throw new RunEnded(RunStatus.FAILED, "the lease was lost", null);
            }
            if (recordedCalls.isEmpty()) {
                return content;
            }
        }
        throw new RunEnded(RunStatus.LIMIT_REACHED, "the run took its " + definition.maxSteps() + " steps", null);
    }

    private JsonNode complete(RunningRun running, Agent agent, String secret, ObjectNode request) throws RunEnded {
        Duration left = Duration.between(clock.instant(), running.deadline);
        if (left.isNegative() || left.isZero()) {
            throw new RunEnded(RunStatus.TIMED_OUT, "the run passed its " + settings.timeout() + " timeout", null);
        }
        // the request timeout is the client's; the run's own deadline is watched while
        // waiting
        Future<GatewayClient.Answer> call = calls
            .submit(() -> gateway.chatCompletion(secret, running.run.id(), request.toString()));
        GatewayClient.Answer response;
        try {
            response = awaitUnlessStopped(running, call);
        }
        catch (ExecutionException failed) {
            if (failed.getCause() instanceof GatewayClient.Unreachable unreachable) {
                if (unreachable.timedOut()) {
                    throw clock.instant().isBefore(running.deadline)
                            ? new RunEnded(RunStatus.FAILED,
                                    "a completion took longer than " + settings.requestTimeout(), null)
                            : new RunEnded(RunStatus.TIMED_OUT, "the run passed its " + settings.timeout() + " timeout",
                                    null);
                }
                throw new RunEnded(RunStatus.INFERENCE_UNAVAILABLE, unreachable.getMessage(), inference.unavailable());
            }
            throw new RunEnded(RunStatus.FAILED, "the completion failed: " + failed.getCause(), null);
        }
        int status = response.status();
        if (status == 429 || status == 502 || status == 503 || status == 504) {
            throw new RunEnded(RunStatus.INFERENCE_UNAVAILABLE,
                    "inference answered " + status + ": " + message(response), inference.unavailable());
        }
        if (status == 401) {
            credentials.forget(agent.id());
            throw new RunEnded(RunStatus.FAILED, "the gateway refused the agent's key; a new one is issued next run",
                    null);
        }
        if (status >= 300) {
            throw new RunEnded(RunStatus.FAILED, "inference answered " + status + ": " + message(response), null);
        }
        inference.answered();
        try {
            return json.readTree(response.body());
        }
        catch (JacksonException e) {
            throw new RunEnded(RunStatus.FAILED, "inference sent a response that is not JSON", null);
        }
    }

    /**
     * Waits for the completion, giving up at once when the run is cancelled, timed out or
     * taken away.
     */
    private GatewayClient.Answer awaitUnlessStopped(RunningRun running, Future<GatewayClient.Answer> call)
            throws ExecutionException, RunEnded {
        while (true) {
            try {
                return call.get(50, TimeUnit.MILLISECONDS);
            }
            catch (TimeoutException notYet) {
                if (running.cancelRequested || running.leaseLost) {
                    call.cancel(true);
                    throw new RunEnded(RunStatus.CANCELLED, running.leaseLost ? "the lease was lost" : "cancelled",
                            null);
                }
                if (!clock.instant().isBefore(running.deadline)) {
                    call.cancel(true);
                    throw new RunEnded(RunStatus.TIMED_OUT, "the run passed its " + settings.timeout() + " timeout",
                            null);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                call.cancel(true);
                throw new RunEnded(RunStatus.CANCELLED, "this replica is shutting down", null);
            }
        }
    }

    private String message(GatewayClient.Answer response) {
        try {
            JsonNode body = json.readTree(response.body());
            JsonNode message = body.path("error").path("message");
            if (message.isString()) {
                return message.asString();
            }
            return body.path("detail").asString(response.body());
        }
        catch (JacksonException e) {
            return response.body().length() > 200 ? response.body().substring(0, 200) : response.body();
        }
    }

    private static String systemPrompt(AgentDefinition definition, Map<String, String> memory) {
        if (memory.isEmpty()) {
            return definition.instructions();
        }
        StringBuilder prompt = new StringBuilder(definition.instructions())
            .append("\n\nWhat you remembered in earlier runs:");
        memory.forEach((key, value) -> prompt.append("\n- ").append(key).append(": ").append(value));
        return prompt.toString();
    }

}
