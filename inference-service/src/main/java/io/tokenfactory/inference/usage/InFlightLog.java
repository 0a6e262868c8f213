package io.tokenfactory.inference.usage;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.support.tracing.Traces;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The write-ahead part of the request log: requests being served, with the completion
 * tokens their clients have been sent, and the replicas serving them.
 */
@Service
class InFlightLog {

    /** One request's progress: tokens its client may now be sent. */
    record Progress(String requestId, long completionTokensSent, long timeToFirstTokenMs) {
    }

    private final JdbcTemplate jdbc;

    private final Traces traces;

    InFlightLog(JdbcTemplate jdbc, Traces traces) {
        this.jdbc = jdbc;
        this.traces = traces;
    }

    /** Called on the thread serving the request: its span is the one the usage names. */
    void open(UUID replica, StartedRequest request) {
        if (request.promptTokens() < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        Timestamp started = Timestamp.from(request.startedAt());
        jdbc.update("""
                INSERT INTO request_in_flight (request_id, replica_id, department_id, api_key_id, agent_id,
                    agent_run_id, model, backend, node, node_class, device, prompt_tokens, tokens_estimated,
                    started_at, progress_at, end_user, traceparent, tags, deployment)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", request.requestId(), replica,
                request.caller().departmentId(), request.caller().keyId(), request.caller().agentId(),
                request.agentRunId(), request.model(), request.backend(), request.node(), request.nodeClass(),
                request.device(), request.promptTokens(), request.tokensEstimated(), started, started,
                UsageRecording.endUser(request.endUser(), request.caller()), traces.currentTraceparent(),
                UsageRecording.tags(request.caller()), request.deployment());
    }

    /**
     * One round trip for every stream's progress; a request that ended meanwhile has no
     * row, and nothing to update.
     */
    @Transactional
    void save(List<Progress> progress, Instant at) {
        Timestamp now = Timestamp.from(at);
        jdbc.batchUpdate("""
                UPDATE request_in_flight SET completion_tokens_sent = GREATEST(completion_tokens_sent, ?),
                    time_to_first_token_ms = ?, progress_at = ?
                WHERE request_id = ?""", progress, progress.size(), (statement, p) -> {
            statement.setLong(1, p.completionTokensSent());
            statement.setLong(2, Math.max(0, p.timeToFirstTokenMs()));
            statement.setTimestamp(3, now);
            statement.setString(4, p.requestId());
        });
    }

    /**
     * What the client of a request still in flight received (the lowest count told wins);
     * false when it is not in flight (logged, or closed already).
     */
    boolean received(String requestId, long completionTokens) {
        return jdbc.update("""
                UPDATE request_in_flight
                SET completion_tokens_received = LEAST(coalesce(completion_tokens_received, ?), ?)
                WHERE request_id = ?""", completionTokens, completionTokens, requestId) == 1;
    }

    /** A request that will be logged under another id, or not at all. */
    void discard(String requestId) {
        jdbc.update("DELETE FROM request_in_flight WHERE request_id = ?", requestId);
    }

    void beat(UUID replica, Instant at) {
        jdbc.update("""
                INSERT INTO inference_replica (replica_id, started_at, heartbeat_at) VALUES (?, ?, ?)
                ON CONFLICT (replica_id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at""", replica,
                Timestamp.from(at), Timestamp.from(at));
    }

    /**
     * A replica that stops gracefully: what it still has in flight is orphaned at once.
     */
    void leave(UUID replica) {
        jdbc.update("DELETE FROM inference_replica WHERE replica_id = ?", replica);
    }

    /** Replicas silent for long with nothing left in flight are forgotten. */
    int forgetSilentReplicas(Instant silentSince) {
        return jdbc.update("""
                DELETE FROM inference_replica r WHERE heartbeat_at < ?
                    AND NOT EXISTS (SELECT 1 FROM request_in_flight f WHERE f.replica_id = r.replica_id)""",
                Timestamp.from(silentSince));
    }

}
