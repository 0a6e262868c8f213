package io.tokenfactory.inference.usage;

import java.time.Clock;
import java.time.Duration;

import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * A served request whose energy is never settled (the replica serving it died first) is
 * still published: after {@code tokenfactory.inference.energy.abandon-after}, with no
 * energy figure and its whole time as a gap. Any replica may do it; rows are taken with
 * {@code SKIP LOCKED}, and a settle that comes later finds nothing to do.
 */
@Component
class AbandonedEnergy extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(AbandonedEnergy.class);

    private final UsageRecording recording;

    private final Duration abandonAfter;

    private final Clock clock;

    AbandonedEnergy(UsageRecording recording, InferenceProperties properties, Clock clock) {
        // looked for a few times within abandon-after, so none waits much longer than it
        super("abandoned-energy", scanInterval(properties.energy().abandonAfter()));
        this.clock = clock;
        this.recording = recording;
        this.abandonAfter = properties.energy().abandonAfter();
    }

    static Duration scanInterval(Duration abandonAfter) {
        Duration quarter = abandonAfter.dividedBy(4);
        return quarter.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1)
                : quarter.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : quarter;
    }

    @Override
    protected void runOnce() {
        try {
            int settled;
            do {
                settled = recording.settleAbandoned(clock.instant().minus(abandonAfter), 500);
                if (settled > 0) {
                    log.warn("Published {} served requests whose energy was never settled, without energy", settled);
                }
            }
            while (settled == 500);
        }
        catch (RuntimeException e) {
            log.warn("Publishing requests with unsettled energy failed; will try again: {}", e.toString());
        }
    }

}
