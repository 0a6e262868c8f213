package io.tokenfactory.agents.runs;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import io.tokenfactory.agents.AgentProperties;
import io.tokenfactory.agents.definition.AgentCatalog;
import io.tokenfactory.agents.definition.AgentState;
import io.tokenfactory.agents.definition.StateReason;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What happens to a run once it started: its steps, heartbeats and end, and what its end
 * means for the agent (retry with backoff, pause after repeated failures). Also the
 * supervision every replica does: runs orphaned by a dead replica (lease expired) and
 * transcripts past their retention.
 */
@Service
class RunRecords {

    /** A run this replica still holds, and whether someone asked it to stop. */
    record Lease(UUID runId, boolean cancelRequested) {
    }

    private static final Logger log = LoggerFactory.getLogger(RunRecords.class);

    private final JdbcTemplate jdbc;

    private final AgentCatalog catalog;

    private final Clock clock;

    private final AgentProperties.Runs settings;

    private final TransactionTemplate transactions;

    RunRecords(JdbcTemplate jdbc, AgentCatalog catalog, Clock clock, AgentProperties properties,
            PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.catalog = catalog;
        this.clock = clock;
        this.settings = properties.runs();
    }

    /**
     * Records one step and renews the lease; false when this replica no longer holds the
     * run.
     */
    @Transactional
    public boolean step(UUID runId, String owner, int step, long promptTokens, long completionTokens,
            String finishReason, String content, String toolCalls) {
        Instant now = clock.instant();
        int held = jdbc.update(
                """
                        UPDATE agent_run SET steps = ?, prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?,
                            heartbeat_at = ?, lease_expires_at = ?
                        WHERE id = ? AND status = 'RUNNING' AND lease_owner = ?""",
                step, promptTokens, completionTokens, Timestamp.from(now), Timestamp.from(now.plus(settings.lease())),
                runId, owner);
        if (held == 0) {
            return false;
        }
        jdbc.update(
                """
                        INSERT INTO agent_run_step (run_id, step, at, prompt_tokens, completion_tokens, finish_reason, content, tool_calls)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                runId, step, Timestamp.from(now), promptTokens, completionTokens, finishReason, content, toolCalls);
        return true;
    }

    /**
     * Ends a run this replica holds and applies the consequence to the agent's schedule;
     * nothing when the run was taken away meanwhile (orphaned: another replica already
     * counted it).
     * @param retryAfter for INFERENCE_UNAVAILABLE: the earliest next fire (no retry
     * spent)
     */
    @Transactional
    public void finish(UUID runId, UUID agentId, String owner, RunStatus outcome, String output, String error,
            Instant retryAfter) {
        Instant now = clock.instant();
        lockAgent(agentId);
        List<Object[]> ended = jdbc.query("""
                UPDATE agent_run SET status = ?, output = ?, error = ?, finished_at = ?, lease_owner = NULL,
                    lease_expires_at = NULL
                WHERE id = ? AND status = 'RUNNING' AND lease_owner = ?
                RETURNING agent_id, prompt_tokens + completion_tokens""",
                (row, i) -> new Object[] { row.getObject(1, UUID.class), row.getLong(2) }, outcome.name(), output,
                truncate(error), Timestamp.from(now), runId, owner);
        if (ended.isEmpty()) {
            return;
        }
        consequences((UUID) ended.get(0)[0], (Long) ended.get(0)[1], outcome, retryAfter, now);
    }

    /**
     * Renews the leases of the runs this replica executes; returns those it still holds.
     */
    @Transactional
    public List<Lease> heartbeat(List<UUID> runs, String owner) {
        if (runs.isEmpty()) {
            return List.of();
        }
        Instant now = clock.instant();
        return jdbc.query(connection -> {
            PreparedStatement statement = connection.prepareStatement("""
                    UPDATE agent_run SET heartbeat_at = ?, lease_expires_at = ?
                    WHERE id = ANY(?) AND status = 'RUNNING' AND lease_owner = ?
                    RETURNING id, cancel_requested""");
            statement.setTimestamp(1, Timestamp.from(now));
            statement.setTimestamp(2, Timestamp.from(now.plus(settings.lease())));
            statement.setArray(3, connection.createArrayOf("uuid", runs.toArray()));
            statement.setString(4, owner);
            return statement;
        }, (row, i) -> new Lease(row.getObject(1, UUID.class), row.getBoolean(2)));
    }

    /**
     * Runs whose lease expired (their replica died or hung): ORPHANED, counted as
     * failures. Returns how many.
     */
    public int reapOrphans() {
        List<Object[]> expired = jdbc.query("""
                SELECT id, agent_id FROM agent_run WHERE status = 'RUNNING' AND lease_expires_at < ?
                ORDER BY lease_expires_at LIMIT 500""",
                (row, i) -> new Object[] { row.getObject(1, UUID.class), row.getObject(2, UUID.class) },
                Timestamp.from(clock.instant()));
        int reaped = 0;
        for (Object[] run : expired) {
            // one transaction each, locking the agent first like every other writer
            Boolean orphaned = transactions.execute(status -> reap((UUID) run[0], (UUID) run[1]));
            reaped += Boolean.TRUE.equals(orphaned) ? 1 : 0;
        }
        return reaped;
    }

    private boolean reap(UUID runId, UUID agentId) {
        Instant now = clock.instant();
        lockAgent(agentId);
        List<Long> tokens = jdbc.query("""
                UPDATE agent_run SET status = 'ORPHANED', finished_at = ?,
                    error = 'its replica (' || lease_owner || ') stopped renewing the lease', lease_owner = NULL
                WHERE id = ? AND status = 'RUNNING' AND lease_expires_at < ?
                RETURNING prompt_tokens + completion_tokens""", (row, i) -> row.getLong(1), Timestamp.from(now), runId,
                Timestamp.from(now));
        if (tokens.isEmpty()) {
            return false; // renewed or finished meanwhile
        }
        log.warn("Run {} of agent {} was orphaned (lease expired)", runId, agentId);
        consequences(agentId, tokens.get(0), RunStatus.ORPHANED, null, now);
        return true;
    }

    /**
     * Every writer locks in one order — agent, schedule, runs — so that finishing,
     * reaping, firing, requesting and state changes of one agent never deadlock.
     */
    private void lockAgent(UUID agentId) {
        jdbc.queryForList("SELECT id FROM agent WHERE id = ? FOR NO KEY UPDATE", UUID.class, agentId);
        jdbc.queryForList("SELECT agent_id FROM agent_schedule WHERE agent_id = ? FOR UPDATE", UUID.class, agentId);
    }

    /**
     * Deletes the steps and texts of runs finished before the retention; totals stay.
     * Returns how many runs.
     */
    @Transactional
    public int purgeTranscripts(int limit) {
        Instant cutoff = clock.instant().minus(settings.transcriptRetention());
        List<UUID> old = jdbc.queryForList("""
                SELECT id FROM agent_run WHERE transcript_purged = false AND finished_at < ?
                ORDER BY finished_at LIMIT ? FOR UPDATE SKIP LOCKED""", UUID.class, Timestamp.from(cutoff), limit);
        if (old.isEmpty()) {
            return 0;
        }
        List<Object[]> ids = new ArrayList<>();
        old.forEach(id -> ids.add(new Object[] { id }));
        jdbc.batchUpdate("DELETE FROM agent_run_step WHERE run_id = ?", ids);
        jdbc.batchUpdate("UPDATE agent_run SET transcript_purged = true, input = NULL, output = NULL WHERE id = ?",
                ids);
        return old.size();
    }

    private void consequences(UUID agentId, long tokens, RunStatus outcome, Instant retryAfter, Instant now) {
        String month = YearMonth.from(now.atZone(ZoneOffset.UTC)).toString();
        int failures = jdbc.queryForObject("""
                SELECT consecutive_failures FROM agent_schedule WHERE agent_id = ? FOR UPDATE""", Integer.class,
                agentId);
        jdbc.update(
                """
                        UPDATE agent_schedule SET tokens_that_month = CASE WHEN tokens_month = ? THEN tokens_that_month + ? ELSE ? END,
                            tokens_month = ?, updated_at = ? WHERE agent_id = ?""",
                month, tokens, tokens, month, Timestamp.from(now), agentId);
        if (outcome == RunStatus.INFERENCE_UNAVAILABLE) {
            jdbc.update(
                    """
                            UPDATE agent_schedule SET next_fire_at = GREATEST(next_fire_at, ?::timestamptz) WHERE agent_id = ? AND next_fire_at IS NOT NULL""",
                    Timestamp.from(retryAfter == null ? now : retryAfter), agentId);
            return;
        }
        if (!outcome.isFailure()) {
            if (failures > 0) {
                jdbc.update("UPDATE agent_schedule SET consecutive_failures = 0 WHERE agent_id = ?", agentId);
            }
            return;
        }
        failures++;
        if (failures >= settings.maxConsecutiveFailures()) {
            jdbc.update("UPDATE agent_schedule SET consecutive_failures = ? WHERE agent_id = ?", failures, agentId);
            if (catalog.get(agentId).state() == AgentState.ACTIVE) {
                log.warn("Agent {} failed {} runs in a row: paused", agentId, failures);
                catalog.transition(agentId, AgentState.PAUSED, StateReason.FAILURES);
            }
            return;
        }
        Duration backoff = backoff(settings.retryBackoff(), settings.maxRetryBackoff(), failures);
        jdbc.update(
                """
                        UPDATE agent_schedule SET consecutive_failures = ?,
                            next_fire_at = CASE WHEN next_fire_at IS NULL THEN NULL ELSE ?::timestamptz END WHERE agent_id = ?""",
                failures, Timestamp.from(now.plus(backoff)), agentId);
    }

    /**
     * Exponential backoff with jitter: base × 2^(n−1), capped, then a random half to
     * whole of it.
     */
    static Duration backoff(Duration base, Duration max, int attempt) {
        long capped = Math.min(max.toMillis(), base.toMillis() << Math.min(20, attempt - 1));
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    private static String truncate(String error) {
        return error == null || error.length() <= 2000 ? error : error.substring(0, 1997) + "...";
    }

}
