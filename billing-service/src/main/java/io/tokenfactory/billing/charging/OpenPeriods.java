package io.tokenfactory.billing.charging;

import java.time.YearMonth;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Which month a charge is billed in: the month it was used in while that month is open, else the next open one.
 * The month's row is share-locked until the charging transaction ends, so a close (which takes it exclusively)
 * waits for charges in flight and no charge lands in a month after its close.
 */
@Component
class OpenPeriods {

    private final JdbcTemplate jdbc;

    OpenPeriods(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    YearMonth billedPeriodFor(YearMonth servicePeriod) {
        YearMonth period = servicePeriod;
        // a month older than the latest closed one counts as closed, even if it never had a row of its own
        String latestClosed = jdbc.queryForObject("SELECT max(period) FROM billing_period WHERE status = 'CLOSED'",
                String.class);
        if (latestClosed != null && !period.isAfter(YearMonth.parse(latestClosed))) {
            period = YearMonth.parse(latestClosed).plusMonths(1);
        }
        while (true) {
            jdbc.update("INSERT INTO billing_period (period) VALUES (?) ON CONFLICT (period) DO NOTHING", period.toString());
            String status = jdbc.queryForObject("SELECT status FROM billing_period WHERE period = ? FOR SHARE",
                    String.class, period.toString());
            if ("OPEN".equals(status)) {
                return period;
            }
            period = period.plusMonths(1);
        }
    }
}
