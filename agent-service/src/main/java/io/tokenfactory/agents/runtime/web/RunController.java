package io.tokenfactory.agents.runtime.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;

import io.tokenfactory.agents.AgentProperties;
import io.tokenfactory.agents.definition.AgentCatalog;
import io.tokenfactory.agents.definition.AgentDefinition.Agent;
import io.tokenfactory.agents.definition.AgentDefinition.TriggerKind;
import io.tokenfactory.agents.runtime.RunHistory;
import io.tokenfactory.agents.runtime.RunQueue;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.problem.QueryParameters;
import io.tokenfactory.support.security.Caller;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An agent's runs: run now, webhook, history, one run with its steps, tokens, joules and cost, cancelling, and its
 * schedule. Same scoping as the agent itself: its department, or an administrator.
 */
@RestController
class RunController {

    private static final Set<String> STATUSES = Set.of("QUEUED", "RUNNING", "SUCCEEDED", "LIMIT_REACHED", "FAILED",
            "CANCELLED", "TIMED_OUT", "ORPHANED", "INFERENCE_UNAVAILABLE");

    private final AgentCatalog catalog;
    private final RunQueue queue;
    private final RunHistory history;
    private final JsonMapper json;
    private final URI billing;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    RunController(AgentCatalog catalog, RunQueue queue, RunHistory history, JsonMapper json, AgentProperties properties) {
        this.catalog = catalog;
        this.queue = queue;
        this.history = history;
        this.json = json;
        this.billing = properties.billingUrl();
    }

    record RunRequest(@Size(max = 20_000) String input) {
    }

    @PostMapping("/api/agents/{id}/runs")
    ResponseEntity<RunHistory.Run> runNow(@PathVariable UUID id, @Valid @RequestBody(required = false) RunRequest request) {
        Agent agent = visible(id);
        UUID run = queue.request(agent, request == null ? null : request.input(), "MANUAL");
        return ResponseEntity.accepted().location(URI.create("/api/agents/" + id + "/runs/" + run))
                .body(history.run(id, run));
    }

    /** A WEBHOOK agent's trigger: the request body (JSON, at most 20,000 characters) is the run's input. */
    @PostMapping("/api/agents/{id}/webhook")
    ResponseEntity<RunHistory.Run> webhook(@PathVariable UUID id, @RequestBody(required = false) JsonNode body) {
        Agent agent = visible(id);
        if (agent.definition().trigger() != TriggerKind.WEBHOOK) {
            throw ApiProblemException.conflict("not_a_webhook_agent", "Agent " + id + " is triggered by "
                    + agent.definition().trigger() + ", not by a webhook; use POST /api/agents/" + id + "/runs");
        }
        String input = body == null ? null : body.toString();
        if (input != null && input.length() > 20_000) {
            throw ApiProblemException.unprocessable("input_too_large", "A webhook body may hold at most 20,000 characters");
        }
        UUID run = queue.request(agent, input, "WEBHOOK");
        return ResponseEntity.accepted().location(URI.create("/api/agents/" + id + "/runs/" + run))
                .body(history.run(id, run));
    }

    @GetMapping("/api/agents/{id}/runs")
    List<RunHistory.Run> runs(@PathVariable UUID id, @RequestParam(required = false) String status,
            @RequestParam(required = false) String limit) {
        visible(id);
        String wanted = status == null ? null : status.toUpperCase(Locale.ROOT);
        if (wanted != null && !STATUSES.contains(wanted)) {
            throw QueryParameters.invalid("status takes one of " + STATUSES);
        }
        int count;
        try {
            count = limit == null ? 50 : Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 1 || count > 1_000) {
            throw QueryParameters.invalid("limit must be a number from 1 to 1000");
        }
        return history.runs(id, wanted, count);
    }

    /** One run with its steps; {@code accounting} holds its joules and cost from billing, once metered and charged. */
    @GetMapping("/api/agents/{id}/runs/{runId}")
    Map<String, Object> run(@PathVariable UUID id, @PathVariable UUID runId) {
        visible(id);
        RunHistory.Run run = history.run(id, runId);
        return Map.of("run", run, "accounting", accounting(runId));
    }

    @PostMapping("/api/agents/{id}/runs/{runId}/cancel")
    ResponseEntity<RunHistory.Run> cancel(@PathVariable UUID id, @PathVariable UUID runId) {
        visible(id);
        return ResponseEntity.accepted().body(history.cancel(id, runId));
    }

    @GetMapping("/api/agents/{id}/schedule")
    RunHistory.Schedule schedule(@PathVariable UUID id) {
        visible(id);
        return history.schedule(id);
    }

    /** Asks billing with the caller's own identity token, so billing applies the caller's scope as well. */
    private Object accounting(UUID runId) {
        if (!(SecurityContextHolder.getContext().getAuthentication() instanceof JwtAuthenticationToken token)) {
            return Map.of("status", "unavailable");
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(billing.resolve("/api/billing/agent-runs/" + runId))
                    .timeout(Duration.ofSeconds(3)).header("Authorization", "Bearer " + token.getToken().getTokenValue())
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Map.of("status", "unavailable", "reason", "billing answered " + response.statusCode());
            }
            return json.readTree(response.body());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Map.of("status", "unavailable", "reason", "billing cannot be reached");
        }
    }

    private Agent visible(UUID id) {
        Agent agent = catalog.get(id);
        if (!Caller.current().mayRead(agent.departmentId())) {
            throw ApiProblemException.forbidden("A key of another department cannot see or run this agent");
        }
        return agent;
    }
}
