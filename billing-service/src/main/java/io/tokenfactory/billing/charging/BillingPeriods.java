package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Currency;

import io.tokenfactory.billing.BillingProperties;

import org.springframework.stereotype.Component;

/**
 * Calendar months in the billing time zone, and the currency's minor unit: the only place
 * money is rounded (half-even, on totals shown or booked — never on the amounts that add
 * up to them).
 */
@Component
public class BillingPeriods {

    private final ZoneId zone;

    private final Currency currency;

    private final Clock clock;

    BillingPeriods(BillingProperties properties, Clock clock) {
        this.zone = properties.billingTimeZone();
        this.currency = Currency.getInstance(properties.currency());
        this.clock = clock;
    }

    public YearMonth periodOf(Instant instant) {
        return YearMonth.from(instant.atZone(zone));
    }

    public Instant now() {
        return clock.instant();
    }

    public ZoneId zone() {
        return zone;
    }

    public YearMonth currentPeriod() {
        return periodOf(clock.instant());
    }

    public Instant start(YearMonth period) {
        return period.atDay(1).atStartOfDay(zone).toInstant();
    }

    public Instant end(YearMonth period) {
        return start(period.plusMonths(1));
    }

    public String currency() {
        return currency.getCurrencyCode();
    }

    public BigDecimal round(BigDecimal amount) {
        return amount.setScale(Math.max(0, currency.getDefaultFractionDigits()), RoundingMode.HALF_EVEN);
    }

}
