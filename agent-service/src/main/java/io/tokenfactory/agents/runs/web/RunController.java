package io.tokenfactory.agents.runs.web;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;

import io.tokenfactory.agents.definition.AgentCatalog;
import io.tokenfactory.agents.definition.AgentDefinition.Agent;
import io.tokenfactory.agents.definition.AgentDefinition.TriggerKind;
import io.tokenfactory.agents.runs.RunAccounting;
import io.tokenfactory.agents.runs.RunHistory;
import io.tokenfactory.agents.runs.RunQueue;
import io.tokenfactory.agents.runs.RunStatus;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.security.Caller;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;

/**
 * An agent's runs: run now, webhook, history, one run with its steps, tokens, joules and
 * cost, cancelling, and its schedule. Same scoping as the agent itself: its department,
 * or an administrator.
 */
@RestController
class RunController {

    private final AgentCatalog catalog;

    private final RunQueue queue;

    private final RunHistory history;

    private final RunAccounting accounting;

    RunController(AgentCatalog catalog, RunQueue queue, RunHistory history, RunAccounting accounting) {
        this.catalog = catalog;
        this.queue = queue;
        this.history = history;
        this.accounting = accounting;
    }

    /**
     * Which runs to list: {@code status} (any case; absent: all) and {@code limit} (1 to
     * 1000, default 50).
     */
    record RunsQuery(RunStatus status, @Min(1) @Max(1_000) Integer limit) {

        int limitOrDefault() {
            return limit == null ? 50 : limit;
        }
    }

    record RunRequest(@Size(max = 20_000) String input) {
    }

    @PostMapping("/api/agents/{id}/runs")
    ResponseEntity<RunHistory.Run> runNow(@PathVariable UUID id,
            @Valid @RequestBody(required = false) RunRequest request) {
        Agent agent = visible(id);
        UUID run = queue.request(agent, request == null ? null : request.input(), "MANUAL");
        return ResponseEntity.accepted()
            .location(URI.create("/api/agents/" + id + "/runs/" + run))
            .body(history.run(id, run));
    }

    /**
     * A WEBHOOK agent's trigger: the request body (JSON, at most 20,000 characters) is
     * the run's input.
     */
    @PostMapping("/api/agents/{id}/webhook")
    ResponseEntity<RunHistory.Run> webhook(@PathVariable UUID id, @RequestBody(required = false) JsonNode body) {
        Agent agent = visible(id);
        if (agent.definition().trigger() != TriggerKind.WEBHOOK) {
            throw ApiProblemException.conflict("not_a_webhook_agent", "Agent " + id + " is triggered by "
                    + agent.definition().trigger() + ", not by a webhook; use POST /api/agents/" + id + "/runs");
        }
        String input = body == null ? null : body.toString();
        if (input != null && input.length() > 20_000) {
            throw ApiProblemException.unprocessable("input_too_large",
                    "A webhook body may hold at most 20,000 characters");
        }
        UUID run = queue.request(agent, input, "WEBHOOK");
        return ResponseEntity.accepted()
            .location(URI.create("/api/agents/" + id + "/runs/" + run))
            .body(history.run(id, run));
    }

    @GetMapping("/api/agents/{id}/runs")
    List<RunHistory.Run> runs(@PathVariable UUID id, @Valid @ModelAttribute RunsQuery query) {
        visible(id);
        return history.runs(id, query.status(), query.limitOrDefault());
    }

    /**
     * One run with its steps; {@code accounting} holds its joules and cost from billing,
     * once metered and charged.
     */
    @GetMapping("/api/agents/{id}/runs/{runId}")
    Map<String, Object> run(@PathVariable UUID id, @PathVariable UUID runId, @AuthenticationPrincipal Jwt caller) {
        visible(id);
        RunHistory.Run run = history.run(id, runId);
        return Map.of("run", run, "accounting", accounting.of(runId, caller == null ? null : caller.getTokenValue()));
    }

    @PostMapping("/api/agents/{id}/runs/{runId}/cancel")
    ResponseEntity<RunHistory.Run> cancel(@PathVariable UUID id, @PathVariable UUID runId) {
        visible(id);
        return ResponseEntity.accepted().body(history.cancel(id, runId));
    }

    @GetMapping("/api/agents/{id}/schedule")
    RunHistory.ScheduleStatus schedule(@PathVariable UUID id) {
        visible(id);
        return history.schedule(id);
    }

    private Agent visible(UUID id) {
        Agent agent = catalog.get(id);
        if (!Caller.current().mayRead(agent.departmentId())) {
            throw ApiProblemException.forbidden("A key of another department cannot see or run this agent");
        }
        return agent;
    }

}
