package io.tokenfactory.agents.runs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;

import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * An agent's runs as its owners read them: summaries, one run with its steps, its
 * schedule; and cancelling.
 */
@Service
public class RunHistory {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Run(UUID id, UUID agentId, UUID departmentId, int agentVersion, String trigger, RunStatus status,
            Instant scheduledFor, Instant queuedAt, Instant startedAt, Instant finishedAt, Long startDelayMs, int steps,
            long promptTokens, long completionTokens, long totalTokens, String input, String output, String error,
            boolean transcriptPurged, List<Step> stepDetails) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(int step, Instant at, long promptTokens, long completionTokens, String finishReason,
            String content, @JsonRawValue String toolCalls) {
    }

    public record ScheduleStatus(UUID agentId, Instant nextFireAt, int consecutiveFailures, long skippedFires,
            long missedFires) {
    }

    private static final String RUN = """
            SELECT id, agent_id, department_id, agent_version, trigger_kind, status, scheduled_for, queued_at, started_at,
                finished_at, steps, prompt_tokens, completion_tokens, input, output, error, transcript_purged
            FROM agent_run""";

    private final JdbcTemplate jdbc;

    private final Clock clock;

    RunHistory(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Newest first; {@code status} null: any. */
    @Transactional(readOnly = true)
    public List<Run> runs(UUID agentId, RunStatus status, int limit) {
        return jdbc.query(
                RUN + " WHERE agent_id = ? AND (?::varchar IS NULL OR status = ?) ORDER BY queued_at DESC LIMIT ?",
                (row, i) -> run(row, null), agentId, status == null ? null : status.name(),
                status == null ? null : status.name(), limit);
    }

    @Transactional(readOnly = true)
    public Run run(UUID agentId, UUID runId) {
        List<Step> steps = jdbc.query("""
                SELECT step, at, prompt_tokens, completion_tokens, finish_reason, content, tool_calls
                FROM agent_run_step WHERE run_id = ? ORDER BY step""",
                (row, i) -> new Step(row.getInt(1), row.getTimestamp(2).toInstant(), row.getLong(3), row.getLong(4),
                        row.getString(5), row.getString(6), row.getString(7)),
                runId);
        List<Run> found = jdbc.query(RUN + " WHERE id = ? AND agent_id = ?", (row, i) -> run(row, steps), runId,
                agentId);
        if (found.isEmpty()) {
            throw ApiProblemException.notFound("run_not_found", "Agent " + agentId + " has no run " + runId);
        }
        return found.get(0);
    }

    @Transactional(readOnly = true)
    public ScheduleStatus schedule(UUID agentId) {
        List<ScheduleStatus> found = jdbc
            .query("""
                    SELECT next_fire_at, consecutive_failures, skipped_fires, missed_fires FROM agent_schedule WHERE agent_id = ?""",
                    (row, i) -> new ScheduleStatus(agentId, instant(row.getTimestamp(1)), row.getInt(2), row.getLong(3),
                            row.getLong(4)),
                    agentId);
        return found.isEmpty() ? new ScheduleStatus(agentId, null, 0, 0, 0) : found.get(0);
    }

    /**
     * Asks a run to stop: a queued one is cancelled at once, a running one at its next
     * check (within 50 ms).
     */
    @Transactional
    public Run cancel(UUID agentId, UUID runId) {
        Run run = run(agentId, runId);
        if (!run.status().isOpen()) {
            throw ApiProblemException.conflict("run_finished",
                    "Run " + runId + " has already ended (" + run.status() + ")");
        }
        jdbc.update("""
                UPDATE agent_run SET status = 'CANCELLED', finished_at = ?, error = 'cancelled by request'
                WHERE id = ? AND status = 'QUEUED'""", Timestamp.from(clock.instant()), runId);
        jdbc.update("UPDATE agent_run SET cancel_requested = true WHERE id = ? AND status = 'RUNNING'", runId);
        return run(agentId, runId);
    }

    private static Run run(ResultSet row, List<Step> steps) throws SQLException {
        Instant scheduled = row.getTimestamp(7).toInstant();
        Instant started = instant(row.getTimestamp(9));
        long prompt = row.getLong(12);
        long completion = row.getLong(13);
        return new Run(row.getObject(1, UUID.class), row.getObject(2, UUID.class), row.getObject(3, UUID.class),
                row.getInt(4), row.getString(5), RunStatus.valueOf(row.getString(6)), scheduled,
                row.getTimestamp(8).toInstant(), started, instant(row.getTimestamp(10)),
                started == null ? null : Math.max(0, started.toEpochMilli() - scheduled.toEpochMilli()), row.getInt(11),
                prompt, completion, prompt + completion, steps == null ? null : row.getString(14),
                steps == null ? null : row.getString(15), row.getString(16), row.getBoolean(17), steps);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

}
