package io.tokenfactory.billing.statement;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;

import io.tokenfactory.billing.BillingProperties;
import io.tokenfactory.billing.charging.BillingPeriods;
import io.tokenfactory.support.lifecycle.PeriodicTask;
import io.tokenfactory.support.problem.ApiProblemException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Closes every month that ended more than {@code tokenfactory.billing.close-after} ago
 * (in the billing time zone) and is still open, oldest first, if an administrator has not
 * closed it already.
 */
@Component
class AutomaticClose extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(AutomaticClose.class);

    private final PeriodClose close;

    private final JdbcTemplate jdbc;

    private final BillingPeriods periods;

    private final Duration closeAfter;

    private final Clock clock;

    AutomaticClose(PeriodClose close, JdbcTemplate jdbc, BillingPeriods periods, BillingProperties properties,
            Clock clock) {
        super("automatic-period-close", Duration.ofMinutes(10));
        this.close = close;
        this.jdbc = jdbc;
        this.periods = periods;
        this.closeAfter = properties.closeAfter();
        this.clock = clock;
    }

    @Override
    protected void runOnce() {
        try {
            closeDue();
        }
        catch (RuntimeException e) {
            log.warn("Closing a billing month automatically failed; will try again: {}", e.getMessage());
        }
    }

    void closeDue() {
        List<String> open = jdbc.queryForList("SELECT period FROM billing_period WHERE status = 'OPEN' ORDER BY period",
                String.class);
        for (String month : open) {
            YearMonth period = YearMonth.parse(month);
            if (isDue(period, clock.instant())) {
                try {
                    close.close(period);
                }
                catch (ApiProblemException closedMeanwhile) {
                    log.debug("{} was closed meanwhile: {}", period, closedMeanwhile.getMessage());
                }
            }
        }
    }

    /**
     * A month is closed automatically once {@code close-after} has passed since it ended.
     */
    boolean isDue(YearMonth period, Instant now) {
        return !periods.end(period).plus(closeAfter).isAfter(now);
    }

}
