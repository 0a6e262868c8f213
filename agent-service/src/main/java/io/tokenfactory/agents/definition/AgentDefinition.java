package io.tokenfactory.agents.definition;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One version of what an agent is and does.
 *
 * @param intervalSeconds for an always-on LOOP: the pause between runs
 * @param cron for CRON: a Spring cron expression (six fields), in {@code timeZone}
 * @param monthlyTokenBudget the agent's own monthly token allowance; null: only its
 * department's budget applies
 * @param tags its cost tags ({@code team}, {@code project} and keys an administrator
 * allows): its usage is charged to them; empty: none
 */
public record AgentDefinition(String model, String instructions, List<String> tools, TriggerKind trigger,
        Integer intervalSeconds, String cron, String timeZone, int maxSteps, long maxTokensPerRun, int maxRunsPerDay,
        Long monthlyTokenBudget, OverlapPolicy overlapPolicy, Map<String, String> tags) {

    public AgentDefinition {
        tools = List.copyOf(tools);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    /** A definition without cost tags. */
    public AgentDefinition(String model, String instructions, List<String> tools, TriggerKind trigger,
            Integer intervalSeconds, String cron, String timeZone, int maxSteps, long maxTokensPerRun,
            int maxRunsPerDay, Long monthlyTokenBudget, OverlapPolicy overlapPolicy) {
        this(model, instructions, tools, trigger, intervalSeconds, cron, timeZone, maxSteps, maxTokensPerRun,
                maxRunsPerDay, monthlyTokenBudget, overlapPolicy, Map.of());
    }

    public enum TriggerKind {

        LOOP, CRON, MANUAL, WEBHOOK

    }

    public enum OverlapPolicy {

        SKIP, QUEUE_ONE, CANCEL_RUNNING

    }

    /** An agent as the API shows it: identity, state and its current version. */
    public record Agent(UUID id, UUID departmentId, String name, AgentState state, String stateReason, int version,
            AgentDefinition definition, Instant createdAt, Instant updatedAt) {
    }
}
