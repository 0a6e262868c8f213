package io.tokenfactory.inference.usage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.inference.energy.MeasuredEnergy;
import io.tokenfactory.support.security.Caller;
import io.tokenfactory.support.tags.CostTags;
import io.tokenfactory.support.tracing.Traces;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The request log. A served request is logged at once, with its tokens (before the client
 * sees its last bytes); when its energy is settled the row is completed and, in the same
 * transaction, its {@code usage-recorded} event goes to the outbox — exactly once,
 * whoever settles it.
 */
@Service
public class UsageRecording {

    private static final String COLUMNS = """
            usage_event_id, completed_at, request_id, department_id, api_key_id, agent_id, agent_run_id, model, backend,
            node, device, prompt_tokens, completion_tokens, outcome, started_at, time_to_first_token_ms, energy_joules,
            energy_source, accelerator_seconds, tokens_estimated, node_class, energy_gap_seconds, end_user, traceparent,
            tags, deployment""";

    private final JdbcTemplate jdbc;

    private final ApplicationEventPublisher events;

    private final Traces traces;

    UsageRecording(JdbcTemplate jdbc, ApplicationEventPublisher events, Traces traces) {
        this.jdbc = jdbc;
        this.events = events;
        this.traces = traces;
    }

    /**
     * Logs a served request; its usage event follows with its energy ({@link #settle}).
     */
    @Transactional
    public UUID logServed(FinishedRequest served) {
        if (served.promptTokens() < 0 || served.completionTokens() < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        UUID eventId = UUID.randomUUID();
        jdbc.update("""
                INSERT INTO inference_request (request_id, usage_event_id, department_id, api_key_id, agent_id,
                    agent_run_id, model, backend, node, node_class, device, prompt_tokens, completion_tokens, outcome,
                    started_at, completed_at, time_to_first_token_ms, energy_joules, accelerator_seconds,
                    tokens_estimated, end_user, traceparent, tags, deployment, queued_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?,
                    coalesce((SELECT traceparent FROM request_in_flight WHERE request_id = ?), ?), ?, ?, ?)""",
                served.requestId(), eventId, served.caller().departmentId(), served.caller().keyId(),
                served.caller().agentId(), served.agentRunId(), served.model(), served.backend(), served.node(),
                served.nodeClass(), served.device(), served.promptTokens(), served.completionTokens(),
                served.outcome().name(), Timestamp.from(served.startedAt()), Timestamp.from(served.completedAt()),
                Math.max(0, served.timeToFirstTokenMs()), served.tokensEstimated(),
                endUser(served.endUser(), served.caller()),
                // the span that opened the request; a request never in flight is logged
                // on its own thread
                served.requestId(), traces.currentTraceparent(), tags(served.caller()), served.deployment(),
                Math.max(0, served.queuedMs()));
        // logged, so no longer in flight: in the same transaction, so it is closed once
        jdbc.update("DELETE FROM request_in_flight WHERE request_id = ?", served.requestId());
        return eventId;
    }

    /**
     * Completes a logged request with its energy and publishes its usage; empty when it
     * was settled already (by the sweep of abandoned requests, say).
     */
    @Transactional
    public Optional<UsageRecorded> settle(String requestId, MeasuredEnergy energy) {
        requireMeterable(energy);
        List<UsageRecorded> settled = jdbc.query("""
                UPDATE inference_request SET energy_joules = ?, energy_source = ?, accelerator_seconds = ?,
                    energy_gap_seconds = ?, energy_settled_at = clock_timestamp()
                WHERE request_id = ? AND energy_settled_at IS NULL
                RETURNING %s""".formatted(COLUMNS), UsageRecording::usageOf, energy.joules(), energy.source().name(),
                energy.acceleratorSeconds(), energy.gapSeconds(), requestId);
        settled.forEach(events::publishEvent);
        return settled.stream().findFirst();
    }

    /**
     * Publishes requests whose energy was never settled (the replica serving them died)
     * with no energy figure and their whole duration as a gap; returns how many.
     */
    @Transactional
    public int settleAbandoned(Instant completedBefore, int limit) {
        List<UsageRecorded> settled = jdbc.query("""
                UPDATE inference_request SET energy_joules = 0, energy_source = 'NONE', accelerator_seconds = 0,
                    energy_gap_seconds = GREATEST(extract(epoch FROM completed_at - started_at), 0),
                    energy_settled_at = clock_timestamp()
                WHERE request_id IN (SELECT request_id FROM inference_request
                    WHERE energy_settled_at IS NULL AND completed_at < ?
                    ORDER BY completed_at LIMIT ? FOR UPDATE SKIP LOCKED)
                RETURNING %s""".formatted(COLUMNS), UsageRecording::usageOf, Timestamp.from(completedBefore), limit);
        settled.forEach(events::publishEvent);
        return settled.size();
    }

    /**
     * Closes requests whose replica has not beaten since {@code silentSince} (killed, or
     * cut off from the database) as {@code INTERRUPTED}: the prompt and the completion
     * tokens their clients had been sent (no more than a client is known to have
     * received), ended at their last progress, with no energy figure and their whole time
     * as a gap. Their usage events go out in the same transaction; returns how many.
     */
    @Transactional
    public int closeOrphans(UUID self, Instant silentSince, int limit) {
        return close("""
                SELECT f.request_id FROM request_in_flight f
                LEFT JOIN inference_replica r ON r.replica_id = f.replica_id
                WHERE f.replica_id <> ? AND (r.replica_id IS NULL OR r.heartbeat_at < ?)
                ORDER BY f.started_at LIMIT ? FOR UPDATE OF f SKIP LOCKED""", self, Timestamp.from(silentSince), limit);
    }

    /**
     * Closes, the same way, a request of this replica whose log could not be written when
     * it ended (the database was away): billed for what its client had been sent.
     */
    @Transactional
    public int closeUnlogged(UUID self, String requestId) {
        return close("""
                SELECT request_id FROM request_in_flight WHERE replica_id = ? AND request_id = ?
                FOR UPDATE SKIP LOCKED""", self, requestId);
    }

    private int close(String orphans, Object... arguments) {
        List<UsageRecorded> closed = jdbc.query("""
                WITH orphan AS (%s),
                gone AS (
                    DELETE FROM request_in_flight WHERE request_id IN (SELECT request_id FROM orphan) RETURNING *)
                INSERT INTO inference_request (request_id, usage_event_id, department_id, api_key_id, agent_id,
                    agent_run_id, model, backend, node, node_class, device, prompt_tokens, completion_tokens, outcome,
                    started_at, completed_at, time_to_first_token_ms, energy_joules, energy_source,
                    accelerator_seconds, tokens_estimated, energy_gap_seconds, energy_settled_at, end_user,
                    traceparent, tags, deployment)
                SELECT request_id, gen_random_uuid(), department_id, api_key_id, agent_id, agent_run_id, model, backend,
                    node, node_class, device, prompt_tokens,
                    LEAST(completion_tokens_sent, coalesce(completion_tokens_received, completion_tokens_sent)),
                    'INTERRUPTED', started_at, GREATEST(progress_at, started_at), time_to_first_token_ms, 0, 'NONE', 0,
                    tokens_estimated, GREATEST(extract(epoch FROM progress_at - started_at), 0), clock_timestamp(),
                    end_user, traceparent, tags, deployment
                FROM gone
                ON CONFLICT (request_id) DO NOTHING
                RETURNING %s""".formatted(orphans, COLUMNS), UsageRecording::usageOf, arguments);
        closed.forEach(events::publishEvent);
        return closed.size();
    }

    /**
     * The end user a request's usage names: OpenAI's {@code user} as the client sent it,
     * else the person signed in through the identity provider (the console's chat).
     */
    static String endUser(String user, Caller caller) {
        return user != null ? user : caller.person();
    }

    /** The caller's cost tags as the request's rows keep them; null for none. */
    static String tags(Caller caller) {
        return CostTags.json(caller.tags());
    }

    private static UsageRecorded usageOf(ResultSet row, int index) throws SQLException {
        Instant started = row.getTimestamp("started_at").toInstant();
        Instant completed = row.getTimestamp("completed_at").toInstant();
        return new UsageRecorded(row.getObject("usage_event_id", UUID.class), completed, row.getString("request_id"),
                row.getObject("department_id", UUID.class), row.getObject("api_key_id", UUID.class),
                row.getObject("agent_id", UUID.class), row.getObject("agent_run_id", UUID.class),
                row.getString("model"), row.getString("backend"), row.getString("node"), row.getString("device"),
                row.getLong("prompt_tokens"), row.getLong("completion_tokens"),
                UsageOutcome.valueOf(row.getString("outcome")),
                // a clock step must not produce a negative latency that metering would
                // reject
                Math.max(0, Duration.between(started, completed).toMillis()), row.getLong("time_to_first_token_ms"),
                row.getDouble("energy_joules"), EnergySource.valueOf(row.getString("energy_source")),
                row.getDouble("accelerator_seconds"), row.getBoolean("tokens_estimated"), row.getString("node_class"),
                row.getDouble("energy_gap_seconds"), row.getString("end_user"), row.getString("traceparent"),
                CostTags.fromJson(row.getString("tags")), row.getString("deployment"));
    }

    /** Metering rejects what it cannot count; refuse it here, before anything commits. */
    private static void requireMeterable(MeasuredEnergy energy) {
        if (!(energy.joules() >= 0) || !(energy.acceleratorSeconds() >= 0) || !(energy.gapSeconds() >= 0)
                || Double.isInfinite(energy.joules()) || Double.isInfinite(energy.acceleratorSeconds())
                || Double.isInfinite(energy.gapSeconds()) || energy.source() == null) {
            throw new IllegalArgumentException("energy, accelerator time and gap must be finite and not negative");
        }
    }

}
