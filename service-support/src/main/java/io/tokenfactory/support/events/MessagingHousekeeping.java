package io.tokenfactory.support.events;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Keeps the messaging tables from growing without end: event ids consumed longer ago than the retention (far
 * beyond any redelivery or resend) and archived publications older than it are deleted, in small batches.
 */
public class MessagingHousekeeping implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MessagingHousekeeping.class);
    private static final int BATCH = 10_000;

    private final JdbcTemplate jdbc;
    private final Duration retention;
    private final Duration interval;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    public MessagingHousekeeping(JdbcTemplate jdbc, Duration retention, Duration interval, Clock clock) {
        this.jdbc = jdbc;
        this.retention = retention;
        this.interval = interval;
        this.clock = clock;
    }

    /** Deletes what is older than the retention; returns how many rows went. */
    public int purge() {
        Timestamp before = Timestamp.from(clock.instant().minus(retention));
        int deleted = 0;
        deleted += deleteInBatches("DELETE FROM processed_event WHERE event_id IN "
                + "(SELECT event_id FROM processed_event WHERE processed_at < ? LIMIT " + BATCH + ")", before);
        deleted += deleteInBatches("DELETE FROM event_publication_archive WHERE id IN "
                + "(SELECT id FROM event_publication_archive WHERE completion_date < ? LIMIT " + BATCH + ")", before);
        return deleted;
    }

    private int deleteInBatches(String sql, Timestamp before) {
        int total = 0;
        int deleted;
        do {
            deleted = jdbc.update(sql, before);
            total += deleted;
        } while (deleted == BATCH);
        return total;
    }

    private void purgeQuietly() {
        try {
            int deleted = purge();
            if (deleted > 0) {
                log.info("Deleted {} consumed event ids and archived publications older than {}", deleted, retention);
            }
        } catch (RuntimeException e) {
            log.warn("Messaging housekeeping failed; will try again: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "messaging-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::purgeQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
