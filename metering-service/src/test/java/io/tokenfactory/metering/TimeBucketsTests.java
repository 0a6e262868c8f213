package io.tokenfactory.metering;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.api.Test;

/**
 * Windows widen to whole UTC buckets: the start down, the end up, an instant on a
 * boundary stays where it is.
 */
class TimeBucketsTests {

    @Test
    void floorsToTheStartOfTheBucket() {
        assertThat(TimeBuckets.floor(Instant.parse("2026-11-20T09:59:59.999Z"), ChronoUnit.HOURS))
            .isEqualTo(Instant.parse("2026-11-20T09:00:00Z"));
        assertThat(TimeBuckets.floor(Instant.parse("2026-11-20T23:59:59Z"), ChronoUnit.DAYS))
            .isEqualTo(Instant.parse("2026-11-20T00:00:00Z"));
        assertThat(TimeBuckets.floor(Instant.parse("2026-11-20T09:00:00Z"), ChronoUnit.HOURS))
            .isEqualTo(Instant.parse("2026-11-20T09:00:00Z"));
    }

    @Test
    void ceilsToTheStartOfTheNextBucketUnlessAlreadyOnOne() {
        assertThat(TimeBuckets.ceil(Instant.parse("2026-11-20T09:00:00.000000001Z"), ChronoUnit.HOURS))
            .isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
        assertThat(TimeBuckets.ceil(Instant.parse("2026-11-20T09:00:00Z"), ChronoUnit.HOURS))
            .isEqualTo(Instant.parse("2026-11-20T09:00:00Z"));
        assertThat(TimeBuckets.ceil(Instant.parse("2026-12-31T00:00:01Z"), ChronoUnit.DAYS))
            .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    }

}
