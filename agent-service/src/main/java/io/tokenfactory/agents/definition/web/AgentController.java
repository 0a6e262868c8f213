package io.tokenfactory.agents.definition.web;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import io.tokenfactory.agents.definition.AgentCatalog;
import io.tokenfactory.agents.definition.AgentTags;
import io.tokenfactory.agents.definition.AgentDefinition;
import io.tokenfactory.agents.definition.AgentDefinition.Agent;
import io.tokenfactory.agents.definition.AgentState;
import io.tokenfactory.agents.definition.StateReason;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.security.Caller;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Agents of a department: define (DRAFT), edit (a new version), activate, pause, resume,
 * retire. A department key manages its own department's agents; an administrator any
 * department's.
 */
@RestController
class AgentController {

    private final AgentCatalog catalog;

    private final AgentTags tagRules;

    AgentController(AgentCatalog catalog, AgentTags tagRules) {
        this.catalog = catalog;
        this.tagRules = tagRules;
    }

    @PostMapping("/api/agents")
    ResponseEntity<Agent> create(@Valid @RequestBody AgentRequest request) {
        Caller caller = Caller.current();
        UUID department = request.departmentId() != null ? request.departmentId() : caller.departmentId();
        if (department == null) {
            throw ApiProblemException.unprocessable("department_required", "name the agent's departmentId");
        }
        requireDepartment(caller, department);
        Agent agent = catalog.create(department, request.name(), tagged(request.definition()));
        return ResponseEntity.created(URI.create("/api/agents/" + agent.id())).body(agent);
    }

    @GetMapping("/api/agents")
    List<Agent> list(@RequestParam(required = false) UUID department) {
        return catalog.list(Caller.current().scopeTo(department));
    }

    @GetMapping("/api/agents/{id}")
    Agent get(@PathVariable UUID id) {
        return visible(id);
    }

    @GetMapping("/api/agents/{id}/versions")
    List<AgentDefinition> versions(@PathVariable UUID id) {
        visible(id);
        return catalog.versions(id);
    }

    @PutMapping("/api/agents/{id}")
    Agent edit(@PathVariable UUID id, @Valid @RequestBody AgentRequest request) {
        visible(id);
        return catalog.edit(id, tagged(request.definition()));
    }

    @PostMapping("/api/agents/{id}/activate")
    Agent activate(@PathVariable UUID id) {
        visible(id);
        return catalog.transition(id, AgentState.ACTIVE, StateReason.MANUAL);
    }

    @PostMapping("/api/agents/{id}/pause")
    Agent pause(@PathVariable UUID id) {
        visible(id);
        return catalog.transition(id, AgentState.PAUSED, StateReason.MANUAL);
    }

    @PostMapping("/api/agents/{id}/resume")
    Agent resume(@PathVariable UUID id) {
        Agent agent = visible(id);
        if (agent.state() != AgentState.PAUSED) {
            throw ApiProblemException.conflict("illegal_transition",
                    "Agent " + id + " is " + agent.state() + "; only a paused agent resumes");
        }
        return catalog.transition(id, AgentState.ACTIVE, StateReason.MANUAL);
    }

    @PostMapping("/api/agents/{id}/retire")
    Agent retire(@PathVariable UUID id) {
        visible(id);
        return catalog.transition(id, AgentState.RETIRED, StateReason.MANUAL);
    }

    /** The definition with its tags checked against the gateway's rules. */
    private AgentDefinition tagged(AgentDefinition definition) {
        Map<String, String> checked = tagRules.checked(definition.tags());
        return new AgentDefinition(definition.model(), definition.instructions(), definition.tools(),
                definition.trigger(), definition.intervalSeconds(), definition.cron(), definition.timeZone(),
                definition.maxSteps(), definition.maxTokensPerRun(), definition.maxRunsPerDay(),
                definition.monthlyTokenBudget(), definition.overlapPolicy(), checked);
    }

    private Agent visible(UUID id) {
        Agent agent = catalog.get(id);
        requireDepartment(Caller.current(), agent.departmentId());
        return agent;
    }

    private static void requireDepartment(Caller caller, UUID department) {
        if (!caller.mayRead(department)) {
            throw ApiProblemException.forbidden("A key of another department cannot see or change this agent");
        }
    }

    record AgentRequest(@NotBlank @Size(max = 100) String name, UUID departmentId,
            @NotBlank @Size(max = 200) String model, @NotNull @Size(max = 20_000) String instructions,
            @Size(max = 16) List<@NotBlank String> tools, @NotNull @Valid Trigger trigger, @Valid Limits limits,
            AgentDefinition.OverlapPolicy overlapPolicy, Map<String, String> tags) {

        AgentDefinition definition() {
            Limits l = limits == null ? new Limits(null, null, null, null) : limits;
            return new AgentDefinition(model, instructions, tools == null ? List.of() : tools, trigger.kind(),
                    trigger.intervalSeconds(), trigger.cron(), trigger.timeZone(),
                    l.maxSteps() == null ? 10 : l.maxSteps(),
                    l.maxTokensPerRun() == null ? 20_000 : l.maxTokensPerRun(),
                    l.maxRunsPerDay() == null ? 1_440 : l.maxRunsPerDay(), l.monthlyTokenBudget(),
                    overlapPolicy == null ? AgentDefinition.OverlapPolicy.SKIP : overlapPolicy, tags);
        }
    }

    record Trigger(@NotNull AgentDefinition.TriggerKind kind, @Min(1) @Max(86_400) Integer intervalSeconds,
            @Size(max = 100) String cron, @Size(max = 64) String timeZone) {
    }

    record Limits(@Min(1) @Max(1_000) Integer maxSteps, @Min(1) @Max(10_000_000) Long maxTokensPerRun,
            @Min(1) @Max(100_000) Integer maxRunsPerDay, @Min(1) Long monthlyTokenBudget) {
    }

}
