package io.tokenfactory.billing.statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

import io.tokenfactory.billing.BillingFixtures;
import io.tokenfactory.billing.BillingProperties;
import io.tokenfactory.billing.charging.ChargingFixtures;
import io.tokenfactory.support.problem.ApiProblemException;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/**
 * When a month may be closed, when it is closed automatically, and how its statements
 * show money and energy.
 */
class StatementRulesTests {

    private static final YearMonth MARCH = YearMonth.of(2026, 3);

    @Test
    void aMonthIsClosedAutomaticallyOnceCloseAfterHasPassedSinceItEndedInTheBillingTimeZone() {
        // March ends in Berlin at 2026-03-31T22:00Z (summer time); close-after is three
        // days
        AutomaticClose close = automaticClose("Europe/Berlin", "2026-04-03T21:59:59Z");

        assertThat(close.isDue(MARCH, Instant.parse("2026-04-03T21:59:59.999Z"))).isFalse();
        assertThat(close.isDue(MARCH, Instant.parse("2026-04-03T22:00:00Z"))).isTrue();
        assertThat(close.isDue(YearMonth.of(2026, 2), Instant.parse("2026-04-03T22:00:00Z"))).isTrue();
        assertThat(close.isDue(YearMonth.of(2026, 4), Instant.parse("2026-04-03T22:00:00Z"))).isFalse();
    }

    @Test
    void aMonthThatHasNotEndedInTheBillingTimeZoneCannotBeClosed() {
        // the last millisecond of March in Berlin (summer time, UTC+2)
        Clock lastMillisecond = Clock.fixed(Instant.parse("2026-03-31T21:59:59.999Z"), ZoneOffset.UTC);
        PeriodClose close = new PeriodClose(null, ChargingFixtures.periods("EUR", "Europe/Berlin", lastMillisecond),
                event -> {
                }, lastMillisecond, null, BillingFixtures.properties("EUR", "Europe/Berlin"));

        for (YearMonth notOver : new YearMonth[] { MARCH, YearMonth.of(2026, 4), YearMonth.of(2030, 1) }) {
            assertThatThrownBy(() -> close.close(notOver)).as(notOver.toString())
                .isInstanceOfSatisfying(ApiProblemException.class, problem -> {
                    assertThat(problem.status()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
                    assertThat(problem.code()).isEqualTo("period_not_over");
                });
        }
    }

    @Test
    void statementTotalsAreShownInTheMinorUnitOfTheStatementsOwnCurrency() {
        assertThat(Statements.inMinorUnit(new BigDecimal("12.345"), "EUR")).isEqualTo(new BigDecimal("12.34"));
        assertThat(Statements.inMinorUnit(new BigDecimal("12.355"), "EUR")).isEqualTo(new BigDecimal("12.36"));
        assertThat(Statements.inMinorUnit(new BigDecimal("12"), "EUR")).isEqualTo(new BigDecimal("12.00"));
        assertThat(Statements.inMinorUnit(new BigDecimal("1234.5"), "JPY")).isEqualTo(new BigDecimal("1234"));
        assertThat(Statements.inMinorUnit(new BigDecimal("1.2345"), "KWD")).isEqualTo(new BigDecimal("1.234"));
    }

    @Test
    void energySourcesAreNamedAsStatementsPrintThem() {
        assertThat(Statements.label("DCGM")).isEqualTo("measured (DCGM)");
        assertThat(Statements.label("ESTIMATED")).isEqualTo("estimated");
        assertThat(Statements.label("NONE")).isEqualTo("no energy measured");
        // closed before sources were kept, or a source this version does not know
        assertThat(Statements.label(null)).isEqualTo("not recorded");
        assertThat(Statements.label("FUSION")).isEqualTo("fusion");
    }

    private static AutomaticClose automaticClose(String zone, String now) {
        Clock clock = Clock.fixed(Instant.parse(now), ZoneOffset.UTC);
        BillingProperties properties = BillingFixtures.properties("EUR", zone);
        assertThat(properties.closeAfter()).isEqualTo(Duration.ofDays(3));
        return new AutomaticClose(null, null, ChargingFixtures.periods("EUR", zone, clock), properties, clock);
    }

}
