package io.tokenfactory.metering;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Windows widened to whole buckets (UTC hours and days), as rollups store them. */
public final class TimeBuckets {

    private TimeBuckets() {
    }

    public static Instant floor(Instant instant, ChronoUnit unit) {
        return instant.truncatedTo(unit);
    }

    public static Instant ceil(Instant instant, ChronoUnit unit) {
        Instant floor = instant.truncatedTo(unit);
        return floor.equals(instant) ? instant : floor.plus(1, unit);
    }

}
