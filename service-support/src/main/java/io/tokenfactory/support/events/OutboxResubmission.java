package io.tokenfactory.support.events;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.modulith.events.IncompleteEventPublications;

/**
 * Sends again, on a fixed interval, every event publication still incomplete after a grace period: the broker
 * was down, the confirm never came, or the service stopped between commit and send.
 */
public class OutboxResubmission implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxResubmission.class);

    private final IncompleteEventPublications incompletePublications;
    private final Duration interval;
    private final Duration gracePeriod;
    private ScheduledExecutorService scheduler;

    public OutboxResubmission(IncompleteEventPublications incompletePublications, Duration interval, Duration gracePeriod) {
        this.incompletePublications = incompletePublications;
        this.interval = interval;
        this.gracePeriod = gracePeriod;
    }

    public void resubmitStalePublications() {
        try {
            incompletePublications.resubmitIncompletePublicationsOlderThan(gracePeriod);
        } catch (RuntimeException e) {
            log.warn("Resubmitting incomplete event publications failed; will try again: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "outbox-resubmission");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::resubmitStalePublications, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
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
