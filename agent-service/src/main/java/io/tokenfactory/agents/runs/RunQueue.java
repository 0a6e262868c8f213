package io.tokenfactory.agents.runs;

import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.tokenfactory.agents.AgentProperties;
import io.tokenfactory.agents.definition.AgentCatalog;
import io.tokenfactory.agents.definition.AgentDefinition;
import io.tokenfactory.agents.definition.AgentDefinition.Agent;
import io.tokenfactory.agents.definition.AgentDefinition.OverlapPolicy;
import io.tokenfactory.agents.definition.AgentDefinition.TriggerKind;
import io.tokenfactory.agents.definition.AgentState;
import io.tokenfactory.contracts.AgentStateChanged;
import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.context.event.EventListener;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Turns schedules and requests into queued runs, and queued runs into running ones, on
 * any number of replicas.
 * <p>
 * Row leases on PostgreSQL rather than Quartz: due schedules are taken with
 * {@code FOR UPDATE SKIP LOCKED}, so replicas share the work without waiting for each
 * other, and the rule that matters — one agent never runs twice at once — is a unique
 * index on the run table ({@code agent_run_one_running}), checked by the same database in
 * the same transaction that records the run. Overlap policies, catch-up and per-agent
 * limits are decided there too, on the locked schedule row; a Quartz job store would be a
 * second copy of the schedule that knows none of them.
 */
@Service
public class RunQueue {

    /** A run this replica has just taken: it holds the run's lease. */
    record ClaimedRun(UUID id, UUID agentId, int version, String trigger, String input, Instant scheduledFor,
            Instant startedAt) {
    }

    private record DueSchedule(UUID agentId, Instant due, UUID department, int version, Schedule schedule, int failures,
            Schedule.Tally tally) {
    }

    /** The locked schedule row and agent a request to run now is decided on. */
    private record RequestedSchedule(AgentState state, int version, Schedule.Tally tally) {
    }

    private final JdbcTemplate jdbc;

    private final AgentCatalog catalog;

    private final Clock clock;

    private final AgentProperties.Runs settings;

    RunQueue(JdbcTemplate jdbc, AgentCatalog catalog, Clock clock, AgentProperties properties) {
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.clock = clock;
        this.settings = properties.runs();
    }

    /**
     * Keeps the schedule in step with the agent's state, in the transaction that changed
     * it.
     */
    @EventListener
    void onStateChanged(AgentStateChanged changed) {
        Instant now = clock.instant();
        if (AgentState.ACTIVE.name().equals(changed.to())) {
            AgentDefinition definition = catalog.get(changed.agentId()).definition();
            Instant first = Schedule.of(definition).firstFrom(now);
            jdbc.update(
                    """
                            INSERT INTO agent_schedule (agent_id, next_fire_at, consecutive_failures, updated_at) VALUES (?, ?, 0, ?)
                            ON CONFLICT (agent_id) DO UPDATE SET next_fire_at = excluded.next_fire_at, consecutive_failures = 0,
                                updated_at = excluded.updated_at""",
                    changed.agentId(), timestamp(first), Timestamp.from(now));
            return;
        }
        // paused or retired: nothing more starts; a queued run is dropped, a running one
        // is asked to stop
        jdbc.update("UPDATE agent_schedule SET next_fire_at = NULL, updated_at = ? WHERE agent_id = ?",
                Timestamp.from(now), changed.agentId());
        jdbc.update(
                """
                        UPDATE agent_run SET status = 'CANCELLED', finished_at = ?, error = ? WHERE agent_id = ? AND status = 'QUEUED'""",
                Timestamp.from(now), "the agent became " + changed.to() + " (" + changed.reason() + ")",
                changed.agentId());
        jdbc.update("UPDATE agent_run SET cancel_requested = true WHERE agent_id = ? AND status = 'RUNNING'",
                changed.agentId());
    }

    /**
     * Fires the schedules that are due (at most {@code limit}), applying catch-up, limits
     * and overlap policies; returns how many schedules it looked at (a full {@code limit}
     * means: call again).
     */
    @Transactional
    public int fireDue(int limit) {
        Instant now = clock.instant();
        List<DueSchedule> due = jdbc.query(
                """
                        SELECT s.agent_id, s.next_fire_at, a.department_id, a.current_version, v.trigger_kind, v.interval_seconds,
                            v.cron, v.time_zone, v.overlap_policy, v.max_runs_per_day, v.monthly_token_budget,
                            s.consecutive_failures, s.runs_day, s.runs_that_day, s.tokens_month, s.tokens_that_month
                        FROM agent_schedule s
                        JOIN agent a ON a.id = s.agent_id AND a.state = 'ACTIVE'
                        JOIN agent_version v ON v.agent_id = a.id AND v.version = a.current_version
                        WHERE s.next_fire_at <= ?
                        ORDER BY s.next_fire_at LIMIT ?
                        FOR UPDATE OF s SKIP LOCKED""",
                RunQueue::dueSchedule, Timestamp.from(now), limit);
        if (due.isEmpty()) {
            return 0;
        }
        Map<UUID, List<Schedule.OpenRun>> open = openRuns(due.stream().map(DueSchedule::agentId).toList());
        List<Object[]> queued = new ArrayList<>();
        List<Object[]> schedules = new ArrayList<>();
        List<UUID> cancel = new ArrayList<>();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        YearMonth month = YearMonth.from(today);
        for (DueSchedule schedule : due) {
            Schedule.Fire fire = schedule.schedule()
                .fire(schedule.due(), now, settings.catchUpWindow(), schedule.tally(),
                        open.getOrDefault(schedule.agentId(), List.of()));
            if (fire.cancel() != null) {
                cancel.add(fire.cancel());
            }
            if (fire.queued()) {
                queued.add(new Object[] { UUID.randomUUID(), schedule.agentId(), schedule.department(),
                        schedule.version(), schedule.failures() > 0 ? "RETRY" : "SCHEDULE", null,
                        Timestamp.from(schedule.due()), Timestamp.from(now) });
            }
            int runsToday = schedule.tally().runsOn(today) + (fire.queued() ? 1 : 0);
            schedules.add(new Object[] { timestamp(fire.next()), fire.skipped(), fire.missed(), Date.valueOf(today),
                    runsToday, month.toString(), schedule.tally().tokensIn(month), Timestamp.from(now),
                    schedule.agentId() });
        }
        jdbc.batchUpdate(
                """
                        UPDATE agent_schedule SET next_fire_at = ?, skipped_fires = skipped_fires + ?, missed_fires = missed_fires + ?,
                            runs_day = ?, runs_that_day = ?, tokens_month = ?, tokens_that_month = ?, updated_at = ?
                        WHERE agent_id = ?""",
                schedules);
        cancel.forEach(id -> jdbc.update("UPDATE agent_run SET cancel_requested = true WHERE id = ?", id));
        jdbc.batchUpdate("""
                INSERT INTO agent_run (id, agent_id, department_id, agent_version, trigger_kind, status, input,
                    scheduled_for, queued_at) VALUES (?, ?, ?, ?, ?, 'QUEUED', ?, ?, ?)""", queued);
        return due.size();
    }

    /**
     * Run now (or a webhook's call): queued according to the agent's overlap policy; 409
     * when it says no.
     */
    @Transactional
    public UUID request(Agent agent, String input, String trigger) {
        Instant now = clock.instant();
        // locks in the one order every writer uses: agent, then schedule, then runs
        jdbc.queryForList("SELECT id FROM agent WHERE id = ? FOR NO KEY UPDATE", UUID.class, agent.id());
        jdbc.update("""
                INSERT INTO agent_schedule (agent_id, next_fire_at, updated_at) VALUES (?, NULL, ?)
                ON CONFLICT (agent_id) DO NOTHING""", agent.id(), Timestamp.from(now));
        RequestedSchedule schedule = jdbc.queryForObject("""
                SELECT a.state, a.current_version, s.runs_day, s.runs_that_day, s.tokens_month, s.tokens_that_month
                FROM agent_schedule s JOIN agent a ON a.id = s.agent_id
                WHERE s.agent_id = ? FOR UPDATE OF s""",
                (row, i) -> new RequestedSchedule(AgentState.valueOf(row.getString(1)), row.getInt(2), tally(row, 3)),
                agent.id());
        if (schedule.state() != AgentState.ACTIVE) {
            throw ApiProblemException.conflict("agent_not_active",
                    "Agent " + agent.id() + " is " + schedule.state() + "; only an active agent runs");
        }
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Schedule rules = Schedule.of(agent.definition());
        List<Schedule.OpenRun> runs = openRuns(List.of(agent.id())).getOrDefault(agent.id(), List.of());
        Optional<Schedule.Refusal> refusal = rules.refusal(today, schedule.tally(), runs);
        if (refusal.isPresent()) {
            throw refused(agent, refusal.get());
        }
        rules.cancelledBy(runs)
            .ifPresent(running -> jdbc.update("UPDATE agent_run SET cancel_requested = true WHERE id = ?", running));
        UUID id = UUID.randomUUID();
        jdbc.update("""
                INSERT INTO agent_run (id, agent_id, department_id, agent_version, trigger_kind, status, input,
                    scheduled_for, queued_at) VALUES (?, ?, ?, ?, ?, 'QUEUED', ?, ?, ?)""", id, agent.id(),
                agent.departmentId(), schedule.version(), trigger, input, Timestamp.from(now), Timestamp.from(now));
        jdbc.update("UPDATE agent_schedule SET runs_day = ?, runs_that_day = ?, updated_at = ? WHERE agent_id = ?",
                Date.valueOf(today), schedule.tally().runsOn(today) + 1, Timestamp.from(now), agent.id());
        return id;
    }

    private static ApiProblemException refused(Agent agent, Schedule.Refusal refusal) {
        AgentDefinition definition = agent.definition();
        return switch (refusal) {
            case NOT_TODAY ->
                new ApiProblemException(HttpStatus.TOO_MANY_REQUESTS, "daily_run_limit", "Daily run limit reached",
                        "Agent " + agent.id() + " has had its " + definition.maxRunsPerDay() + " runs today");
            case TOKEN_BUDGET_USED -> new ApiProblemException(HttpStatus.TOO_MANY_REQUESTS, "agent_token_budget",
                    "Agent token budget used",
                    "Agent " + agent.id() + " has used its " + definition.monthlyTokenBudget() + " tokens this month");
            case ALREADY_QUEUED -> ApiProblemException.conflict("run_already_queued",
                    "A run of agent " + agent.id() + " is already waiting");
            case IN_PROGRESS -> ApiProblemException.conflict("run_in_progress",
                    "Agent " + agent.id() + " is running and its overlap policy is SKIP");
        };
    }

    /**
     * Takes up to {@code limit} queued runs whose agent is not running, under this
     * replica's lease. Two replicas racing for one agent: the unique index refuses the
     * second, whose claim is simply retried at the next poll.
     */
    @Transactional
    public List<ClaimedRun> claim(int limit, String owner) {
        Instant now = clock.instant();
        try {
            return jdbc
                .query("""
                        UPDATE agent_run r SET status = 'RUNNING', lease_owner = ?, ran_by = ?, started_at = ?, heartbeat_at = ?,
                            lease_expires_at = ?
                        FROM (SELECT q.id FROM agent_run q
                              WHERE q.status = 'QUEUED'
                                AND NOT EXISTS (SELECT 1 FROM agent_run x WHERE x.agent_id = q.agent_id AND x.status = 'RUNNING')
                              ORDER BY q.queued_at LIMIT ? FOR UPDATE SKIP LOCKED) c
                        WHERE r.id = c.id
                        RETURNING r.id, r.agent_id, r.agent_version, r.trigger_kind, r.input, r.scheduled_for, r.started_at""",
                        (row, i) -> new ClaimedRun(row.getObject(1, UUID.class), row.getObject(2, UUID.class),
                                row.getInt(3), row.getString(4), row.getString(5), row.getTimestamp(6).toInstant(),
                                row.getTimestamp(7).toInstant()),
                        owner, owner, Timestamp.from(now), Timestamp.from(now),
                        Timestamp.from(now.plus(settings.lease())), limit);
        }
        catch (DuplicateKeyException anotherReplicaStartedThatAgent) {
            return List.of();
        }
    }

    private Map<UUID, List<Schedule.OpenRun>> openRuns(List<UUID> agents) {
        Map<UUID, List<Schedule.OpenRun>> open = new HashMap<>();
        jdbc.query(connection -> {
            PreparedStatement statement = connection.prepareStatement(
                    "SELECT agent_id, id, status FROM agent_run WHERE agent_id = ANY(?) AND status IN ('QUEUED', 'RUNNING')");
            statement.setArray(1, connection.createArrayOf("uuid", agents.toArray()));
            return statement;
        }, (ResultSet row) -> {
            open.computeIfAbsent(row.getObject(1, UUID.class), key -> new ArrayList<>())
                .add(new Schedule.OpenRun(row.getObject(2, UUID.class), RunStatus.valueOf(row.getString(3))));
        });
        return open;
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    /**
     * The schedule's tally from four columns starting at {@code first}: runs_day,
     * runs_that_day, tokens_month, tokens_that_month.
     */
    private static Schedule.Tally tally(ResultSet row, int first) throws SQLException {
        Date runsDay = row.getDate(first);
        return new Schedule.Tally(runsDay == null ? null : runsDay.toLocalDate(), row.getInt(first + 1),
                row.getString(first + 2), row.getLong(first + 3));
    }

    private static DueSchedule dueSchedule(ResultSet row, int i) throws SQLException {
        int interval = row.getInt(6);
        Integer intervalSeconds = row.wasNull() ? null : interval;
        long budget = row.getLong(11);
        Long monthlyBudget = row.wasNull() ? null : budget;
        Schedule schedule = new Schedule(TriggerKind.valueOf(row.getString(5)), intervalSeconds, row.getString(7),
                row.getString(8), OverlapPolicy.valueOf(row.getString(9)), row.getInt(10), monthlyBudget);
        return new DueSchedule(row.getObject(1, UUID.class), row.getTimestamp(2).toInstant(),
                row.getObject(3, UUID.class), row.getInt(4), schedule, row.getInt(12), tally(row, 13));
    }

}
