package io.tokenfactory.support.events;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The outbox's backlog: {@code tokenfactory.events.outbox.pending{service}}, the event
 * publications not yet confirmed by the broker, and
 * {@code tokenfactory.events.outbox.oldest{service}}, the age in seconds of the oldest of
 * them (0 when none waits). A backlog that grows or ages means events are not leaving —
 * the broker is down or refuses them. Counted every 15 s, so a scrape never waits for the
 * database.
 */
public class OutboxBacklogGauge extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(OutboxBacklogGauge.class);

    private final JdbcTemplate jdbc;

    private final Clock clock;

    private final AtomicLong pending = new AtomicLong();

    private final AtomicLong oldestSeconds = new AtomicLong();

    public OutboxBacklogGauge(JdbcTemplate jdbc, Clock clock, MeterRegistry meters, String service) {
        super("outbox-backlog-gauge", Duration.ofSeconds(15));
        this.jdbc = jdbc;
        this.clock = clock;
        Gauge.builder("tokenfactory.events.outbox.pending", pending, AtomicLong::get)
            .description("event publications not yet confirmed by the broker")
            .tag("service", service)
            .register(meters);
        Gauge.builder("tokenfactory.events.outbox.oldest", oldestSeconds, AtomicLong::get)
            .description("age of the oldest event publication not yet confirmed by the broker")
            .baseUnit("seconds")
            .tag("service", service)
            .register(meters);
    }

    @Override
    protected void runOnce() {
        refresh();
    }

    /** Counts again; a database that does not answer leaves the last figures. */
    public void refresh() {
        try {
            jdbc.query("SELECT count(*), min(publication_date) FROM event_publication WHERE completion_date IS NULL",
                    row -> {
                        pending.set(row.getLong(1));
                        Timestamp oldest = row.getTimestamp(2);
                        oldestSeconds.set(oldest == null ? 0
                                : Math.max(0, Duration.between(oldest.toInstant(), clock.instant()).toSeconds()));
                    });
        }
        catch (RuntimeException e) {
            log.debug("Could not count the outbox's backlog: {}", e.getMessage());
        }
    }

}
