package io.tokenfactory.support.events;

import java.time.Duration;

import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.modulith.events.IncompleteEventPublications;

/**
 * Sends again, on a fixed interval, every event publication still incomplete after a
 * grace period: the broker was down, the confirm never came, or the service stopped
 * between commit and send.
 */
public class OutboxResubmission extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(OutboxResubmission.class);

    private final IncompleteEventPublications incompletePublications;

    private final Duration gracePeriod;

    public OutboxResubmission(IncompleteEventPublications incompletePublications, Duration interval,
            Duration gracePeriod) {
        super("outbox-resubmission", interval);
        this.incompletePublications = incompletePublications;
        this.gracePeriod = gracePeriod;
    }

    @Override
    protected void runOnce() {
        resubmitStalePublications();
    }

    public void resubmitStalePublications() {
        try {
            incompletePublications.resubmitIncompletePublicationsOlderThan(gracePeriod);
        }
        catch (RuntimeException e) {
            log.warn("Resubmitting incomplete event publications failed; will try again: {}", e.getMessage());
        }
    }

}
