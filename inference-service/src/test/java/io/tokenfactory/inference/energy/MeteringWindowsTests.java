package io.tokenfactory.inference.energy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/**
 * Clock-aligned metering windows: which window an instant is in, where a window starts,
 * and overlaps with it.
 */
class MeteringWindowsTests {

    private final MeteringWindows seconds = new MeteringWindows(1_000);

    @Test
    void aWindowHoldsItsStartButNotItsEnd() {
        long start = Instant.parse("2026-11-05T10:00:00Z").toEpochMilli();

        assertThat(seconds.index(start)).isEqualTo(start / 1_000);
        assertThat(seconds.index(start + 999)).isEqualTo(start / 1_000);
        assertThat(seconds.index(start + 1_000)).isEqualTo(start / 1_000 + 1);
        assertThat(seconds.start(seconds.index(start + 999))).isEqualTo(Instant.ofEpochMilli(start));
    }

    @Test
    void everyReplicaCutsTheSameWindowsWhateverTheInterval() {
        MeteringWindows twoAndAHalf = new MeteringWindows(2_500);

        assertThat(twoAndAHalf.start(twoAndAHalf.index(Instant.parse("2026-11-05T10:00:03.7Z").toEpochMilli())))
            .isEqualTo(Instant.parse("2026-11-05T10:00:02.5Z"));
    }

    @Test
    void instantsBefore1970FallIntoNegativeWindowsNotWindowZero() {
        assertThat(seconds.index(-1)).isEqualTo(-1);
        assertThat(seconds.index(-1_000)).isEqualTo(-1);
        assertThat(seconds.index(-1_001)).isEqualTo(-2);
        assertThat(seconds.start(-1)).isEqualTo(Instant.ofEpochMilli(-1_000));
    }

    @Test
    void theOverlapOfASpanWithAWindowIsClippedToBoth() {
        // window 10 is [10 000, 11 000) ms
        assertThat(seconds.overlapSeconds(10_250, 10_750, 10)).isEqualTo(0.5);
        assertThat(seconds.overlapSeconds(9_000, 10_400, 10)).isEqualTo(0.4);
        assertThat(seconds.overlapSeconds(10_600, 12_000, 10)).isEqualTo(0.4);
        assertThat(seconds.overlapSeconds(9_000, 20_000, 10)).isEqualTo(1.0);
        // a request still running ends at Long.MAX_VALUE
        assertThat(seconds.overlapSeconds(10_900, Long.MAX_VALUE, 10)).isEqualTo(0.1);
    }

    @Test
    void aSpanThatDoesNotMeetTheWindowOverlapsItByNothing() {
        assertThat(seconds.overlapSeconds(8_000, 9_000, 10)).isZero();
        assertThat(seconds.overlapSeconds(11_000, 12_000, 10)).isZero();
        assertThat(seconds.overlapSeconds(10_500, 10_500, 10)).isZero();
    }

}
