package io.tokenfactory.billing.charging;

import java.time.YearMonth;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Which month a charge is billed in: the month it was used in while that month is open,
 * else the next open one. The month's row is share-locked until the charging transaction
 * ends, so a close (which takes it exclusively) waits for charges in flight and no charge
 * lands in a month after its close.
 */
@Component
class OpenPeriods {

    private final JdbcTemplate jdbc;

    OpenPeriods(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    YearMonth billedPeriodFor(YearMonth servicePeriod) {
        String latestClosed = jdbc.queryForObject("SELECT max(period) FROM billing_period WHERE status = 'CLOSED'",
                String.class);
        YearMonth period = firstCandidate(servicePeriod, latestClosed == null ? null : YearMonth.parse(latestClosed));
        while (true) {
            jdbc.update("INSERT INTO billing_period (period) VALUES (?) ON CONFLICT (period) DO NOTHING",
                    period.toString());
            String status = jdbc.queryForObject("SELECT status FROM billing_period WHERE period = ? FOR SHARE",
                    String.class, period.toString());
            if ("OPEN".equals(status)) {
                return period;
            }
            period = period.plusMonths(1);
        }
    }

    /**
     * The first month a charge could be billed in: its month of use, unless that is the
     * latest closed month or older — such a month counts as closed even if it never had a
     * row of its own — then the month after the latest closed.
     * @param latestClosed null when no month has been closed yet
     */
    static YearMonth firstCandidate(YearMonth servicePeriod, YearMonth latestClosed) {
        return latestClosed != null && !servicePeriod.isAfter(latestClosed) ? latestClosed.plusMonths(1)
                : servicePeriod;
    }

}
