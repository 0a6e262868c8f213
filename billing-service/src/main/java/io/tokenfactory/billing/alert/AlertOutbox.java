package io.tokenfactory.billing.alert;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.support.jdbc.BatchStatement;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import tools.jackson.databind.json.JsonMapper;

/**
 * The outbox of alerts: one {@code webhook_delivery} row per active subscription that
 * wants the alert, written in the transaction of the event itself, so an alert is sent if
 * and only if its event committed. Each row holds the body exactly as it will be sent
 * (and re-sent). {@link WebhookDispatcher} sends them.
 */
@Component
class AlertOutbox {

    private record Subscriber(UUID id, WebhookFormat format) {
    }

    private record Delivery(UUID id, UUID subscription, String body) {
    }

    private final JdbcTemplate jdbc;

    private final JsonMapper json;

    private final Clock clock;

    AlertOutbox(JdbcTemplate jdbc, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    /** To the department's own subscriptions that want this kind. */
    @Transactional(propagation = Propagation.MANDATORY)
    int toDepartment(UUID department, Alert alert) {
        return enqueue(alert, subscribers("department_id = ?", alert.kind(), department));
    }

    /** To the administrators' subscriptions (every department's) that want this kind. */
    @Transactional(propagation = Propagation.MANDATORY)
    int toAdministrators(Alert alert) {
        return enqueue(alert, subscribers("department_id IS NULL", alert.kind()));
    }

    /** To one subscription whatever it subscribed to: a test delivery. */
    @Transactional(propagation = Propagation.MANDATORY)
    UUID toSubscription(UUID subscription, WebhookFormat format, Alert alert) {
        Delivery delivery = delivery(new Subscriber(subscription, format), alert);
        insert(List.of(delivery), alert);
        return delivery.id();
    }

    private List<Subscriber> subscribers(String audience, String kind, Object... parameters) {
        Object[] all = new Object[parameters.length + 1];
        System.arraycopy(parameters, 0, all, 0, parameters.length);
        all[parameters.length] = kind;
        return jdbc.query(
                "SELECT id, format FROM webhook_subscription WHERE active AND " + audience
                        + " AND ? = ANY (string_to_array(event_kinds, ' ')) ORDER BY id",
                (row, i) -> new Subscriber(row.getObject(1, UUID.class), WebhookFormat.of(row.getString(2))), all);
    }

    private int enqueue(Alert alert, List<Subscriber> subscribers) {
        if (subscribers.isEmpty()) {
            return 0;
        }
        insert(subscribers.stream().map(subscriber -> delivery(subscriber, alert)).toList(), alert);
        return subscribers.size();
    }

    private void insert(List<Delivery> deliveries, Alert alert) {
        // an event told twice (a redelivered message) is told once: one row per
        // subscription and event
        Timestamp now = Timestamp.from(clock.instant());
        BatchStatement.of(deliveries)
            .uuid(Delivery::id)
            .uuid(Delivery::subscription)
            .text(Delivery::body)
            .update(jdbc, """
                    INSERT INTO webhook_delivery (id, subscription_id, body, event_id, event_kind, status, created_at,
                        next_attempt_at)
                    SELECT d.id, d.subscription_id, d.body, ?, ?, 'PENDING', ?, ?
                    FROM unnest(?::uuid[], ?::uuid[], ?::text[]) AS d (id, subscription_id, body)
                    ON CONFLICT (subscription_id, event_id) DO NOTHING""", alert.eventId(), alert.kind(), now, now);
    }

    private Delivery delivery(Subscriber subscriber, Alert alert) {
        return new Delivery(UUID.randomUUID(), subscriber.id(), body(subscriber.format(), alert));
    }

    /** The body a subscription in this format receives. */
    String body(WebhookFormat format, Alert alert) {
        if (format == WebhookFormat.SLACK) {
            // Slack reads <, > and & as markup: a department's name must stay text
            String text = alert.text().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
            return json.writeValueAsString(Map.of("text", text));
        }
        Map<String, @Nullable Object> body = new LinkedHashMap<>();
        body.put("eventId", alert.eventId());
        body.put("event", alert.kind());
        body.put("occurredAt", alert.occurredAt());
        body.put("departmentId", alert.departmentId());
        body.put("text", alert.text());
        body.put("data", alert.data());
        return json.writeValueAsString(body);
    }

}
