package io.tokenfactory.agents.definition;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.agents.definition.AgentDefinition.Agent;
import io.tokenfactory.agents.definition.AgentDefinition.TriggerKind;
import io.tokenfactory.agents.tools.HttpToolRegistry;
import io.tokenfactory.contracts.AgentStateChanged;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.tags.CostTags;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Agents: their versions (an edit is a new version) and their lifecycle. Every state
 * change is checked against the state machine ({@link AgentState}), recorded with its
 * reason, and published as {@code agent-state-changed} in the same transaction (outbox).
 */
@Service
public class AgentCatalog {

    private static final String AGENT = """
            SELECT a.id, a.department_id, a.name, a.state, a.state_reason, a.current_version, a.created_at, a.updated_at,
                v.model, v.instructions, v.tools, v.trigger_kind, v.interval_seconds, v.cron, v.time_zone, v.max_steps,
                v.max_tokens_per_run, v.max_runs_per_day, v.monthly_token_budget, v.overlap_policy, v.tags
            FROM agent a JOIN agent_version v ON v.agent_id = a.id AND v.version = a.current_version""";

    private final JdbcTemplate jdbc;

    private final ApplicationEventPublisher events;

    private final Clock clock;

    private final HttpToolRegistry tools;

    private final AuditTrail audit;

    AgentCatalog(JdbcTemplate jdbc, ApplicationEventPublisher events, Clock clock, HttpToolRegistry tools,
            AuditTrail audit) {
        this.audit = audit;
        this.jdbc = jdbc;
        this.events = events;
        this.clock = clock;
        this.tools = tools;
    }

    @Transactional
    public Agent create(UUID department, String name, AgentDefinition definition) {
        validate(definition);
        UUID id = UUID.randomUUID();
        Instant now = clock.instant();
        try {
            jdbc.update(
                    """
                            INSERT INTO agent (id, department_id, name, state, state_reason, current_version, created_at, updated_at)
                            VALUES (?, ?, ?, 'DRAFT', 'created', 1, ?, ?)""",
                    id, department, name.strip(), Timestamp.from(now), Timestamp.from(now));
        }
        catch (DuplicateKeyException exists) {
            throw ApiProblemException.conflict("agent_exists",
                    "The department already has an agent named '" + name.strip() + "'");
        }
        insertVersion(id, 1, definition, now);
        history(id, "NONE", AgentState.DRAFT, StateReason.CREATED, department, now);
        Agent created = get(id);
        audit.record("agent.created", "agent", id, department, null, created);
        return created;
    }

    @Transactional
    public Agent edit(UUID id, AgentDefinition definition) {
        validate(definition);
        Agent agent = locked(id);
        if (agent.state() == AgentState.RETIRED) {
            throw ApiProblemException.conflict("agent_retired", "Agent " + id + " is retired and cannot change");
        }
        Instant now = clock.instant();
        insertVersion(id, agent.version() + 1, definition, now);
        jdbc.update("UPDATE agent SET current_version = ?, updated_at = ? WHERE id = ?", agent.version() + 1,
                Timestamp.from(now), id);
        Agent edited = get(id);
        audit.record("agent.edited", "agent", id, agent.departmentId(), agent, edited);
        return edited;
    }

    /**
     * Moves an agent to {@code target}; a move the state machine does not allow is a 409.
     */
    @Transactional
    public Agent transition(UUID id, AgentState target, StateReason reason) {
        Agent agent = locked(id);
        if (!agent.state().mayBecome(target)) {
            throw ApiProblemException.conflict("illegal_transition",
                    "Agent " + id + " is " + agent.state() + " and cannot become " + target);
        }
        move(agent, target, reason);
        Agent moved = get(id);
        audit.record("agent.state-changed", "agent", id, agent.departmentId(), agent, moved);
        return moved;
    }

    /** Pauses every active agent of a department for its budget; returns how many. */
    @Transactional
    public int pauseForBudget(UUID department) {
        List<Agent> active = jdbc.query(
                AGENT + " WHERE a.department_id = ? AND a.state = 'ACTIVE' ORDER BY a.id FOR NO KEY UPDATE OF a",
                AgentCatalog::agent, department);
        active.forEach(agent -> {
            move(agent, AgentState.PAUSED, StateReason.BUDGET);
            audit.record("agent.state-changed", "agent", agent.id(), department, agent, get(agent.id()));
        });
        return active.size();
    }

    /**
     * Resumes the department's agents paused for its budget, and only those; returns how
     * many.
     */
    @Transactional
    public int resumeAfterBudget(UUID department) {
        List<Agent> paused = jdbc.query(AGENT
                + " WHERE a.department_id = ? AND a.state = 'PAUSED' AND a.state_reason = 'budget' ORDER BY a.id FOR NO KEY UPDATE OF a",
                AgentCatalog::agent, department);
        paused.forEach(agent -> {
            move(agent, AgentState.ACTIVE, StateReason.BUDGET);
            audit.record("agent.state-changed", "agent", agent.id(), department, agent, get(agent.id()));
        });
        return paused.size();
    }

    @Transactional(readOnly = true)
    public Agent get(UUID id) {
        List<Agent> found = jdbc.query(AGENT + " WHERE a.id = ?", AgentCatalog::agent, id);
        if (found.isEmpty()) {
            throw ApiProblemException.notFound("agent_not_found", "No agent with id " + id);
        }
        return found.get(0);
    }

    /**
     * @param department null: every department
     */
    @Transactional(readOnly = true)
    public List<Agent> list(UUID department) {
        return jdbc.query(AGENT + " WHERE (?::uuid IS NULL OR a.department_id = ?) ORDER BY a.name LIMIT 10000",
                AgentCatalog::agent, department, department);
    }

    @Transactional(readOnly = true)
    public List<AgentDefinition> versions(UUID id) {
        get(id);
        return jdbc.query("""
                SELECT model, instructions, tools, trigger_kind, interval_seconds, cron, time_zone, max_steps,
                    max_tokens_per_run, max_runs_per_day, monthly_token_budget, overlap_policy, tags
                FROM agent_version WHERE agent_id = ? ORDER BY version""", (row, i) -> definition(row, 1), id);
    }

    /** One version of an agent, as a run ran it. */
    @Transactional(readOnly = true)
    public AgentDefinition version(UUID id, int version) {
        List<AgentDefinition> found = jdbc.query("""
                SELECT model, instructions, tools, trigger_kind, interval_seconds, cron, time_zone, max_steps,
                    max_tokens_per_run, max_runs_per_day, monthly_token_budget, overlap_policy, tags
                FROM agent_version WHERE agent_id = ? AND version = ?""", (row, i) -> definition(row, 1), id, version);
        if (found.isEmpty()) {
            throw ApiProblemException.notFound("agent_not_found", "No version " + version + " of agent " + id);
        }
        return found.get(0);
    }

    private Agent locked(UUID id) {
        // NO KEY UPDATE: runs and memory rows referencing the agent (foreign-key checks)
        // are not blocked by it
        List<Agent> found = jdbc.query(AGENT + " WHERE a.id = ? FOR NO KEY UPDATE OF a", AgentCatalog::agent, id);
        if (found.isEmpty()) {
            throw ApiProblemException.notFound("agent_not_found", "No agent with id " + id);
        }
        return found.get(0);
    }

    private void move(Agent agent, AgentState target, StateReason reason) {
        Instant now = clock.instant();
        jdbc.update("UPDATE agent SET state = ?, state_reason = ?, updated_at = ? WHERE id = ?", target.name(),
                reason.code(), Timestamp.from(now), agent.id());
        history(agent.id(), agent.state().name(), target, reason, agent.departmentId(), now);
    }

    private void history(UUID id, String from, AgentState to, StateReason reason, UUID department, Instant now) {
        jdbc.update(
                "INSERT INTO agent_state_history (agent_id, changed_at, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?)",
                id, Timestamp.from(now), from, to.name(), reason.code());
        events.publishEvent(
                new AgentStateChanged(UUID.randomUUID(), now, id, department, from, to.name(), reason.code()));
    }

    private void insertVersion(UUID id, int version, AgentDefinition d, Instant now) {
        jdbc.update(
                """
                        INSERT INTO agent_version (agent_id, version, model, instructions, tools, trigger_kind, interval_seconds,
                            cron, time_zone, max_steps, max_tokens_per_run, max_runs_per_day, monthly_token_budget, overlap_policy,
                            created_at, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                id, version, d.model(), d.instructions(), String.join(",", d.tools()), d.trigger().name(),
                d.intervalSeconds(), d.cron(), d.timeZone(), d.maxSteps(), d.maxTokensPerRun(), d.maxRunsPerDay(),
                d.monthlyTokenBudget(), d.overlapPolicy().name(), Timestamp.from(now), CostTags.json(d.tags()));
    }

    /** What the database checks too, refused here with a message naming the field. */
    private void validate(AgentDefinition d) {
        for (String tool : d.tools()) {
            if (!tools.exists(tool)) {
                throw invalid("unknown tool '" + tool + "'; built-in tools are " + HttpToolRegistry.BUILT_IN
                        + ", others are registered at /api/agents/tools");
            }
        }
        if (d.trigger() == TriggerKind.LOOP && (d.intervalSeconds() == null || d.intervalSeconds() < 1)) {
            throw invalid("an always-on LOOP agent needs intervalSeconds of at least 1");
        }
        if (d.trigger() == TriggerKind.CRON) {
            if (d.cron() == null || !CronExpression.isValidExpression(d.cron())) {
                throw invalid("a CRON agent needs a valid cron expression (six fields, e.g. '0 0 9 * * MON-FRI')");
            }
            try {
                ZoneId.of(d.timeZone() == null ? "UTC" : d.timeZone());
            }
            catch (DateTimeException e) {
                throw invalid("timeZone '" + d.timeZone() + "' is not a time zone");
            }
        }
    }

    private static ApiProblemException invalid(String detail) {
        return new ApiProblemException(HttpStatus.BAD_REQUEST, "invalid_agent", "Invalid agent", detail);
    }

    private static Agent agent(ResultSet row, int index) throws SQLException {
        return new Agent(row.getObject(1, UUID.class), row.getObject(2, UUID.class), row.getString(3),
                AgentState.valueOf(row.getString(4)), row.getString(5), row.getInt(6), definition(row, 9),
                row.getTimestamp(7).toInstant(), row.getTimestamp(8).toInstant());
    }

    private static AgentDefinition definition(ResultSet row, int first) throws SQLException {
        String tools = row.getString(first + 2);
        long budget = row.getLong(first + 10);
        Long monthly = row.wasNull() ? null : budget;
        int interval = row.getInt(first + 4);
        Integer intervalSeconds = row.wasNull() ? null : interval;
        return new AgentDefinition(row.getString(first), row.getString(first + 1),
                tools.isEmpty() ? List.of() : Arrays.asList(tools.split(",")),
                TriggerKind.valueOf(row.getString(first + 3)), intervalSeconds, row.getString(first + 5),
                row.getString(first + 6), row.getInt(first + 7), row.getLong(first + 8), row.getInt(first + 9), monthly,
                AgentDefinition.OverlapPolicy.valueOf(row.getString(first + 11)),
                CostTags.fromJson(row.getString(first + 12)));
    }

}
