package io.tokenfactory.support.deadletter;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tokenfactory.events.dead.letters.waiting{service}}: the dead letters neither
 * replayed nor discarded. Counted from the table after every change here and every half
 * minute (another replica's changes), so a scrape never waits for the database.
 */
public class DeadLetterGauge extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterGauge.class);

    private final DeadLetterStore store;

    private final AtomicLong waiting = new AtomicLong();

    public DeadLetterGauge(DeadLetterStore store, MeterRegistry meters, String service) {
        super("dead-letter-gauge", Duration.ofSeconds(30));
        this.store = store;
        Gauge.builder("tokenfactory.events.dead.letters.waiting", waiting, AtomicLong::get)
            .description("dead letters neither replayed nor discarded")
            .tag("service", service)
            .register(meters);
    }

    @Override
    protected void beforeFirstRun() {
        refresh();
    }

    @Override
    protected void runOnce() {
        refresh();
    }

    /** Counts again; a database that does not answer leaves the last count. */
    public long refresh() {
        try {
            waiting.set(store.countWaiting());
        }
        catch (RuntimeException e) {
            log.debug("Could not count the waiting dead letters: {}", e.getMessage());
        }
        return waiting.get();
    }

}
