package io.tokenfactory.billing.pricing;

import static io.tokenfactory.billing.pricing.PriceFixtures.band;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalTime;
import java.util.List;

import io.tokenfactory.support.problem.ApiProblemException;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/**
 * What a tariff's time-of-use bands and any price's effective date must be before the
 * price book takes them.
 */
class TariffBandRulesTests {

    @Test
    void aBandCoversFromItsStartUpToButNotIncludingItsEnd() {
        PriceBook.Band day = band("09:00", "17:00", "0.4");

        assertThat(day.covers(LocalTime.parse("09:00"))).isTrue();
        assertThat(day.covers(LocalTime.parse("16:59:59.999999999"))).isTrue();
        assertThat(day.covers(LocalTime.parse("17:00"))).isFalse();
        assertThat(day.covers(LocalTime.parse("08:59:59"))).isFalse();
    }

    @Test
    void aBandEndingBeforeItStartsWrapsMidnight() {
        PriceBook.Band night = band("22:00", "06:00", "0.1");

        assertThat(night.covers(LocalTime.MIDNIGHT)).isTrue();
        assertThat(night.covers(LocalTime.parse("23:59:59"))).isTrue();
        assertThat(night.covers(LocalTime.parse("05:59:59"))).isTrue();
        assertThat(night.covers(LocalTime.parse("06:00"))).isFalse();
        assertThat(night.covers(LocalTime.parse("12:00"))).isFalse();
    }

    @Test
    void noBandsAreAllowedAndAbsentBandsAreNone() {
        assertThat(PriceBook.checkedBands(null)).isEmpty();
        assertThat(PriceBook.checkedBands(List.of())).isEmpty();
    }

    @Test
    void bandsThatOnlyTouchAreAccepted() {
        List<PriceBook.Band> bands = List.of(band("22:00", "06:00", "0.1"), band("06:00", "09:00", "0.2"),
                band("09:00", "22:00", "0.3"));

        assertThat(PriceBook.checkedBands(bands)).isEqualTo(bands);
    }

    @Test
    void aBandWithoutLengthIsRefused() {
        assertThatThrownBy(() -> PriceBook.checkedBands(List.of(band("08:00", "08:00", "0.1"))))
            .isInstanceOfSatisfying(ApiProblemException.class, problem -> {
                assertThat(problem.status()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
                assertThat(problem.code()).isEqualTo("invalid_band");
            });
    }

    @Test
    void overlappingBandsAreRefusedWhicheverComesFirst() {
        assertOverlap(band("22:00", "06:00", "0.1"), band("05:00", "07:00", "0.2"));
        assertOverlap(band("05:00", "07:00", "0.2"), band("22:00", "06:00", "0.1"));
        // one band inside another, and two bands that both wrap midnight
        assertOverlap(band("08:00", "20:00", "0.2"), band("10:00", "11:00", "0.3"));
        assertOverlap(band("23:00", "01:00", "0.2"), band("22:00", "00:30", "0.3"));
    }

    @Test
    void effectiveDatesMustLieBetween1970And9999() {
        assertThat(PriceBook.plausible(Instant.EPOCH)).isEqualTo(Instant.EPOCH);
        Instant latest = Instant.parse("9999-01-01T00:00:00Z");
        assertThat(PriceBook.plausible(latest)).isEqualTo(latest);
        for (Instant implausible : List.of(Instant.parse("1969-12-31T23:59:59Z"),
                Instant.parse("9999-01-01T00:00:01Z"))) {
            assertThatThrownBy(() -> PriceBook.plausible(implausible)).isInstanceOfSatisfying(ApiProblemException.class,
                    problem -> {
                        assertThat(problem.status()).isEqualTo(HttpStatus.BAD_REQUEST);
                        assertThat(problem.code()).isEqualTo("invalid_parameter");
                        assertThat(problem.getMessage()).isEqualTo("effectiveFrom must lie between 1970 and 9999");
                    });
        }
    }

    private static void assertOverlap(PriceBook.Band first, PriceBook.Band second) {
        assertThatThrownBy(() -> PriceBook.checkedBands(List.of(first, second)))
            .isInstanceOfSatisfying(ApiProblemException.class, problem -> {
                assertThat(problem.code()).isEqualTo("overlapping_bands");
                assertThat(problem.getMessage()).contains(first.toString(), second.toString());
            });
    }

}
