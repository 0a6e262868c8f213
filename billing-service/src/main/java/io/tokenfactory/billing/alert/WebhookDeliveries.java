package io.tokenfactory.billing.alert;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The delivery queue and its log: due deliveries are claimed with
 * {@code FOR UPDATE SKIP LOCKED} (replicas share the queue without waiting for each
 * other) under a lease, so one whose replica died mid-attempt is tried again when the
 * lease ends; each attempt is recorded with its outcome.
 */
@Component
class WebhookDeliveries {

    /** A claimed delivery with what sending it needs. */
    record Due(UUID id, UUID subscription, String kind, String body, String url, String secret) {
    }

    private final JdbcTemplate jdbc;

    WebhookDeliveries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Up to {@code max} due deliveries of active subscriptions: each subscription's
     * earliest, and none of a subscription this replica is sending to already. A receiver
     * that never answers holds one sender, and its backlog never crowds out the others'
     * deliveries.
     */
    @Transactional
    List<Due> claim(int max, Set<UUID> busySubscriptions, Instant now, Duration lease) {
        Timestamp due = Timestamp.from(now);
        // one candidate per subscription, so a busy one costs one place at the most
        List<Due> candidates = jdbc.query("""
                SELECT d.id, d.subscription_id, d.event_kind, d.body, s.url, s.secret
                FROM webhook_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id
                WHERE d.status = 'PENDING' AND d.next_attempt_at <= ? AND s.active
                    AND NOT EXISTS (SELECT 1 FROM webhook_delivery e WHERE e.subscription_id = d.subscription_id
                        AND e.status = 'PENDING' AND e.next_attempt_at <= ?
                        AND (e.next_attempt_at, e.id) < (d.next_attempt_at, d.id))
                ORDER BY d.next_attempt_at LIMIT ?
                FOR UPDATE OF d SKIP LOCKED""",
                (row, i) -> new Due(row.getObject(1, UUID.class), row.getObject(2, UUID.class), row.getString(3),
                        row.getString(4), row.getString(5), row.getString(6)),
                due, due, max + busySubscriptions.size());
        List<Due> claimed = new ArrayList<>();
        for (Due candidate : candidates) {
            if (claimed.size() < max && !busySubscriptions.contains(candidate.subscription())) {
                claimed.add(candidate);
                jdbc.update("UPDATE webhook_delivery SET next_attempt_at = ? WHERE id = ?",
                        Timestamp.from(now.plus(lease)), candidate.id());
            }
        }
        return claimed;
    }

    /**
     * Records an attempt and what follows from it: delivered, due again after the
     * schedule's pause, or failed for good. Returns the delivery's new status, or empty
     * when it no longer exists (its subscription was deleted meanwhile).
     */
    @Transactional
    Optional<String> record(Due due, Instant startedAt, WebhookClient.Outcome outcome, RetrySchedule schedule,
            Instant now) {
        List<Integer> attempts = jdbc.queryForList("""
                UPDATE webhook_delivery SET attempts = attempts + 1 WHERE id = ? AND status = 'PENDING'
                RETURNING attempts""", Integer.class, due.id());
        if (attempts.isEmpty()) {
            return Optional.empty();
        }
        int attempt = attempts.get(0);
        jdbc.update("""
                INSERT INTO webhook_attempt (delivery_id, attempt, started_at, duration_ms, http_status, error)
                VALUES (?, ?, ?, ?, ?, ?)""", due.id(), attempt, Timestamp.from(startedAt), outcome.took().toMillis(),
                outcome.status(), outcome.error());
        if (outcome.delivered()) {
            return finish(due, "DELIVERED", now);
        }
        Optional<Duration> pause = schedule.after(attempt);
        if (pause.isEmpty()) {
            return finish(due, "FAILED", now);
        }
        jdbc.update("UPDATE webhook_delivery SET next_attempt_at = ? WHERE id = ?",
                Timestamp.from(now.plus(pause.get())), due.id());
        return Optional.of("PENDING");
    }

    private Optional<String> finish(Due due, String status, Instant now) {
        jdbc.update("UPDATE webhook_delivery SET status = ?, next_attempt_at = NULL, finished_at = ? WHERE id = ?",
                status, Timestamp.from(now), due.id());
        return Optional.of(status);
    }

    /** A subscription's latest deliveries, newest first, each with its attempts. */
    @Transactional(readOnly = true)
    List<DeliveryView> log(UUID subscription, int limit) {
        Map<UUID, DeliveryView> deliveries = new LinkedHashMap<>();
        jdbc.query("""
                SELECT id, event_id, event_kind, status, attempts, created_at, next_attempt_at, finished_at, body
                FROM webhook_delivery WHERE subscription_id = ? ORDER BY created_at DESC, id LIMIT ?""", row -> {
            UUID id = row.getObject(1, UUID.class);
            deliveries.put(id,
                    new DeliveryView(id, row.getObject(2, UUID.class), row.getString(3), row.getString(4),
                            row.getInt(5), instant(row, 6), instantOrNull(row, 7), instantOrNull(row, 8),
                            row.getString(9), new ArrayList<>()));
        }, subscription, limit);
        if (deliveries.isEmpty()) {
            return List.of();
        }
        jdbc.query("""
                SELECT delivery_id, attempt, started_at, duration_ms, http_status, error FROM webhook_attempt
                WHERE delivery_id IN (SELECT id FROM webhook_delivery WHERE subscription_id = ?
                    ORDER BY created_at DESC, id LIMIT ?)
                ORDER BY delivery_id, attempt""", row -> {
            DeliveryView delivery = deliveries.get(row.getObject(1, UUID.class));
            if (delivery != null) {
                delivery.attemptLog()
                    .add(new DeliveryView.Attempt(row.getInt(2), instant(row, 3), row.getLong(4),
                            row.getObject(5, Integer.class), row.getString(6)));
            }
        }, subscription, limit);
        return deliveries.values()
            .stream()
            .map(d -> new DeliveryView(d.id(), d.eventId(), d.event(), d.status(), d.attempts(), d.createdAt(),
                    d.nextAttemptAt(), d.finishedAt(), d.body(), List.copyOf(d.attemptLog())))
            .toList();
    }

    /**
     * Locks a subscription's deliveries, in one order, for the rest of the transaction.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    void lockAll(UUID subscription) {
        jdbc.query("SELECT id FROM webhook_delivery WHERE subscription_id = ? ORDER BY id FOR UPDATE",
                (row, i) -> row.getObject(1), subscription);
    }

    /** Forgets deliveries finished before {@code before}, with their attempts. */
    @Transactional
    int purge(Instant before) {
        return jdbc.update("DELETE FROM webhook_delivery WHERE finished_at < ?", Timestamp.from(before));
    }

    private static Instant instant(ResultSet row, int column) throws SQLException {
        return row.getTimestamp(column).toInstant();
    }

    private static @Nullable Instant instantOrNull(ResultSet row, int column) throws SQLException {
        Timestamp value = row.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

}
