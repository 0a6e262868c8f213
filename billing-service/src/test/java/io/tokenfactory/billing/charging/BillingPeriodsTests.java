package io.tokenfactory.billing.charging;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;

import io.tokenfactory.billing.BillingProperties;
import io.tokenfactory.support.events.OutboxSettings;

import org.junit.jupiter.api.Test;

/** Months are calendar months in the billing time zone; money is rounded half-even to the currency's minor unit. */
class BillingPeriodsTests {

    private final BillingPeriods berlin = new BillingPeriods(new BillingProperties("EUR", ZoneId.of("Europe/Berlin"),
            new OutboxSettings(Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofDays(30)),
            Duration.ofDays(3), "AI-PLATFORM"), Clock.systemUTC());

    @Test
    void theLastMillisecondOfAMonthInTheBillingTimeZoneBelongsToThatMonth() {
        // 31 October 2026, 23:59:59.999 in Berlin (CET, UTC+1) is 22:59:59.999 UTC
        assertThat(berlin.periodOf(Instant.parse("2026-10-31T22:59:59.999Z"))).isEqualTo(YearMonth.of(2026, 10));
        assertThat(berlin.periodOf(Instant.parse("2026-10-31T23:00:00Z"))).isEqualTo(YearMonth.of(2026, 11));
        assertThat(berlin.start(YearMonth.of(2026, 11))).isEqualTo(Instant.parse("2026-10-31T23:00:00Z"));
        // summer time: 31 July 2026, 23:59:59.999 CEST is 21:59:59.999 UTC
        assertThat(berlin.periodOf(Instant.parse("2026-07-31T21:59:59.999Z"))).isEqualTo(YearMonth.of(2026, 7));
    }

    @Test
    void roundsHalfEvenToTheMinorUnit() {
        assertThat(berlin.round(new BigDecimal("0.125"))).isEqualByComparingTo("0.12");
        assertThat(berlin.round(new BigDecimal("0.135"))).isEqualByComparingTo("0.14");
        assertThat(berlin.round(new BigDecimal("2.004999999999"))).isEqualByComparingTo("2.00");
    }
}
