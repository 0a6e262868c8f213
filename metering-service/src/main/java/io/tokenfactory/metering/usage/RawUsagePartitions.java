package io.tokenfactory.metering.usage;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps the raw usage table's monthly partitions ahead of time (this month and the next
 * three) and, when a retention is set, drops whole months older than it. Rollups are not
 * partitioned and stay. To archive a month instead, detach its partition
 * ({@code ALTER TABLE usage_record DETACH PARTITION usage_record_2026_01}) before the
 * retention reaches it.
 */
@Component
class RawUsagePartitions extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(RawUsagePartitions.class);

    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyy_MM");

    private static final int MONTHS_AHEAD = 3;

    /** Without a retention, months this far back get their own partition too. */
    private static final int MONTHS_BACK_WITHOUT_RETENTION = 12;

    private final JdbcTemplate jdbc;

    private final RawUsageRetention retention;

    RawUsagePartitions(JdbcTemplate jdbc, RawUsageRetention retention) {
        super("raw-usage-partitions", Duration.ofHours(6));
        this.jdbc = jdbc;
        this.retention = retention;
    }

    @Override
    protected void beforeFirstRun() {
        runOnce();
    }

    @Override
    protected void runOnce() {
        LocalDate thisMonth = retention.thisMonth();
        int back = retention.months() > 0 ? retention.months() : MONTHS_BACK_WITHOUT_RETENTION;
        for (LocalDate month = thisMonth.minusMonths(back); !month
            .isAfter(thisMonth.plusMonths(MONTHS_AHEAD)); month = month.plusMonths(1)) {
            // one month at a time: a month that cannot be created (rows for it already in
            // the default partition)
            // must not keep the others from being created
            try {
                jdbc.execute(
                        "CREATE TABLE IF NOT EXISTS usage_record_%s PARTITION OF usage_record FOR VALUES FROM ('%s') TO ('%s')"
                            .formatted(month.format(SUFFIX), month.atStartOfDay(ZoneOffset.UTC).toInstant(),
                                    month.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
            }
            catch (RuntimeException e) {
                log.warn("Could not create the raw usage partition for {}; its rows stay in the default partition: {}",
                        month.format(SUFFIX), e.getMessage());
            }
        }
        if (retention.months() > 0) {
            try {
                dropOlderThan(thisMonth.minusMonths(retention.months()));
            }
            catch (RuntimeException e) {
                log.warn("Dropping expired raw usage partitions failed; will try again: {}", e.getMessage());
            }
        }
    }

    private void dropOlderThan(LocalDate oldestKept) {
        List<String> partitions = jdbc.queryForList("""
                SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                JOIN pg_class p ON p.oid = i.inhparent
                WHERE p.relname = 'usage_record' AND c.relname ~ '^usage_record_[0-9]{4}_[0-9]{2}$'""", String.class);
        String oldestKeptName = "usage_record_" + oldestKept.format(SUFFIX);
        for (String partition : partitions) {
            if (partition.compareTo(oldestKeptName) < 0) {
                jdbc.execute("DROP TABLE " + partition);
                log.info("Dropped raw usage partition {} (older than {} months)", partition, retention.months());
            }
        }
    }

}
