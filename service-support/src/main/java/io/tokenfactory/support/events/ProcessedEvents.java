package io.tokenfactory.support.events;

import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The receiving half of exactly-once: a consumer records each event id in its own
 * database, in the same transaction as the work the event causes. A redelivered event
 * finds its id already there and is skipped. Each service's Flyway migrations create the
 * {@code processed_event} table.
 */
public class ProcessedEvents {

    private final JdbcTemplate jdbc;

    public ProcessedEvents(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Returns true the first time an event id is seen, false for every redelivery. Call
     * inside the transaction.
     */
    public boolean markFirstDelivery(UUID eventId, String type) {
        return jdbc.update("INSERT INTO processed_event (event_id, event_type, processed_at) VALUES (?, ?, now()) "
                + "ON CONFLICT (event_id) DO NOTHING", eventId, type) == 1;
    }

}
