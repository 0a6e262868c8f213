package io.tokenfactory.agents.runtime;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import io.tokenfactory.agents.definition.AgentDefinition.TriggerKind;

import org.springframework.scheduling.support.CronExpression;

/** When a trigger fires: an always-on loop every interval (fixed rate), a cron expression in its time zone. */
record FireTimes(TriggerKind trigger, Integer intervalSeconds, String cron, String timeZone) {

    /** The first fire after {@code after}; null for triggers that never fire by themselves (manual, webhook). */
    Instant nextAfter(Instant after) {
        return switch (trigger) {
            case LOOP -> after.plusSeconds(intervalSeconds);
            case CRON -> {
                ZonedDateTime next = CronExpression.parse(cron).next(after.atZone(zone()));
                yield next == null ? null : next.toInstant();
            }
            case MANUAL, WEBHOOK -> null;
        };
    }

    /** The first fire of a freshly activated agent: a loop starts at once, a cron at its next time. */
    Instant firstFrom(Instant now) {
        return trigger == TriggerKind.LOOP ? now : nextAfter(now);
    }

    /**
     * After the fire due at {@code due} happened at {@code now}: a loop keeps its cadence unless it fell a whole
     * interval behind (then it restarts from now: no burst); a cron takes its next time after now.
     */
    Instant following(Instant due, Instant now) {
        if (trigger == TriggerKind.LOOP) {
            Instant next = due.plusSeconds(intervalSeconds);
            return next.isAfter(now) ? next : now.plusSeconds(intervalSeconds);
        }
        return nextAfter(now);
    }

    /** How many fires fell between {@code due} (included) and {@code now} (excluded), counted up to a cap. */
    long firesBetween(Instant due, Instant now, int cap) {
        if (trigger == TriggerKind.LOOP) {
            return Math.min(cap, Duration.between(due, now).getSeconds() / intervalSeconds + 1);
        }
        long count = 0;
        for (Instant fire = due; fire != null && fire.isBefore(now) && count < cap; fire = nextAfter(fire)) {
            count++;
        }
        return count;
    }

    private ZoneId zone() {
        return ZoneId.of(timeZone == null ? "UTC" : timeZone);
    }
}
