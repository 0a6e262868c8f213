package io.tokenfactory.metering.usage;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.tokenfactory.metering.TimeBuckets;
import io.tokenfactory.metering.energy.NodeHours;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.problem.QueryParameters;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Recomputes the rollups of a window from raw usage (after a repair, a restore, or to
 * prove the incremental rollups right), and marks the window's node-hours for idle
 * allocation again so corrections follow.
 */
@Service
public class UsageRebuild {

    private static final Logger log = LoggerFactory.getLogger(UsageRebuild.class);

    private static final Duration LONGEST = Duration.ofDays(400);

    public record Rebuilt(Instant from, Instant to, long hourlyRows, long dailyRows) {
    }

    /** One day's rebuild, as the audit trail records it. */
    record RebuiltDay(Instant from, Instant to) {
    }

    private final UsageRollups rollups;

    private final NodeHours nodeHours;

    private final RawUsageRetention retention;

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transactions;

    private final AuditTrail audit;

    UsageRebuild(UsageRollups rollups, NodeHours nodeHours, RawUsageRetention retention, JdbcTemplate jdbc,
            PlatformTransactionManager transactionManager, AuditTrail audit) {
        this.audit = audit;
        this.transactions = new TransactionTemplate(transactionManager);
        this.rollups = rollups;
        this.nodeHours = nodeHours;
        this.retention = retention;
        this.jdbc = jdbc;
    }

    /**
     * One transaction per UTC day, so ingestion waits for one day's rebuild at a time,
     * never for the whole window.
     */
    public Rebuilt rebuild(Instant from, Instant to) {
        if (!from.isBefore(to)) {
            throw QueryParameters.invalid("from must be before to");
        }
        if (Duration.between(from, to).compareTo(LONGEST) > 0) {
            throw QueryParameters.invalid("rebuild at most " + LONGEST.toDays() + " days at a time");
        }
        if (from.isBefore(retention.oldestRetained())) {
            throw ApiProblemException.unprocessable("raw_usage_expired", "raw usage before "
                    + retention.oldestRetained() + " has been dropped by the retention; its rollups cannot be rebuilt");
        }
        Instant first = TimeBuckets.floor(from, ChronoUnit.DAYS);
        Instant end = TimeBuckets.ceil(to, ChronoUnit.DAYS);
        for (Instant day = first; day.isBefore(end); day = day.plus(1, ChronoUnit.DAYS)) {
            Instant dayStart = day;
            Instant dayEnd = day.plus(1, ChronoUnit.DAYS);
            transactions.executeWithoutResult(status -> {
                rollups.rebuild(dayStart, dayEnd);
                nodeHours.recomputeDirect(dayStart, dayEnd);
                // each day's rebuild is recorded with it: a rebuild cut short leaves the
                // days it did in the trail
                audit.record("usage.rollups-rebuilt", "usage_rollups", dayStart + "/" + dayEnd, null, null,
                        new RebuiltDay(dayStart, dayEnd));
            });
        }
        Instant[] days = { first, end };
        Long hourly = jdbc.queryForObject("SELECT count(*) FROM usage_hourly WHERE hour_start >= ? AND hour_start < ?",
                Long.class, Timestamp.from(days[0]), Timestamp.from(days[1]));
        Long daily = jdbc.queryForObject("SELECT count(*) FROM usage_daily WHERE day_start >= ? AND day_start < ?",
                Long.class, Timestamp.from(days[0]), Timestamp.from(days[1]));
        log.info("Rebuilt usage rollups for [{}, {}): {} hourly and {} daily rows", days[0], days[1], hourly, daily);
        return new Rebuilt(days[0], days[1], hourly, daily);
    }

}
