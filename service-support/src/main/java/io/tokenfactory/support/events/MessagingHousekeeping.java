package io.tokenfactory.support.events;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;

import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Keeps the messaging tables from growing without end: event ids consumed longer ago than
 * the retention (far beyond any redelivery or resend), archived publications older than
 * it, and dead letters replayed or discarded longer ago are deleted, in small batches.
 */
public class MessagingHousekeeping extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(MessagingHousekeeping.class);

    private static final int BATCH = 10_000;

    private final JdbcTemplate jdbc;

    private final Duration retention;

    private final Clock clock;

    public MessagingHousekeeping(JdbcTemplate jdbc, Duration retention, Duration interval, Clock clock) {
        super("messaging-housekeeping", interval);
        this.jdbc = jdbc;
        this.retention = retention;
        this.clock = clock;
    }

    /** Deletes what is older than the retention; returns how many rows went. */
    public int purge() {
        Timestamp before = Timestamp.from(clock.instant().minus(retention));
        int deleted = 0;
        deleted += deleteInBatches("DELETE FROM processed_event WHERE event_id IN "
                + "(SELECT event_id FROM processed_event WHERE processed_at < ? LIMIT " + BATCH + ")", before);
        deleted += deleteInBatches(
                "DELETE FROM event_publication_archive WHERE id IN "
                        + "(SELECT id FROM event_publication_archive WHERE completion_date < ? LIMIT " + BATCH + ")",
                before);
        // dead letters replayed or discarded that long ago; a waiting one stays until
        // someone decides
        deleted += deleteInBatches("DELETE FROM dead_letter WHERE id IN (SELECT id FROM dead_letter WHERE "
                + "COALESCE(discarded_at, replayed_at) < ? LIMIT " + BATCH + ")", before);
        return deleted;
    }

    private int deleteInBatches(String sql, Timestamp before) {
        int total = 0;
        int deleted;
        do {
            deleted = jdbc.update(sql, before);
            total += deleted;
        }
        while (deleted == BATCH);
        return total;
    }

    @Override
    protected void runOnce() {
        try {
            int deleted = purge();
            if (deleted > 0) {
                log.info("Deleted {} consumed event ids, archived publications and settled dead letters older than {}",
                        deleted, retention);
            }
        }
        catch (RuntimeException e) {
            log.warn("Messaging housekeeping failed; will try again: {}", e.getMessage());
        }
    }

}
