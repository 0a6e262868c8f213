package io.tokenfactory.metering.usage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import io.tokenfactory.metering.MeteringProperties;
import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps the raw usage table's monthly partitions ahead of time (this month and the next three) and, when a
 * retention is set, drops whole months older than it. Rollups are not partitioned and stay. To archive a month
 * instead, detach its partition ({@code ALTER TABLE usage_record DETACH PARTITION usage_record_2026_01}) before the
 * retention reaches it.
 */
@Component
class RawUsagePartitions extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(RawUsagePartitions.class);
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyy_MM");
    private static final int MONTHS_AHEAD = 3;

    private final JdbcTemplate jdbc;
    private final int retentionMonths;
    private final Clock clock;

    RawUsagePartitions(JdbcTemplate jdbc, MeteringProperties properties, Clock clock) {
        super("raw-usage-partitions", Duration.ofHours(6));
        this.jdbc = jdbc;
        this.retentionMonths = properties.rawUsageRetentionMonths();
        this.clock = clock;
    }

    @Override
    protected void beforeFirstRun() {
        runOnce();
    }

    @Override
    protected void runOnce() {
        try {
            LocalDate thisMonth = LocalDate.now(clock.withZone(ZoneOffset.UTC)).withDayOfMonth(1);
            for (int ahead = 0; ahead <= MONTHS_AHEAD; ahead++) {
                LocalDate month = thisMonth.plusMonths(ahead);
                jdbc.execute("CREATE TABLE IF NOT EXISTS usage_record_%s PARTITION OF usage_record FOR VALUES FROM ('%s') TO ('%s')"
                        .formatted(month.format(SUFFIX), month.atStartOfDay(ZoneOffset.UTC).toInstant(),
                                month.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
            }
            if (retentionMonths > 0) {
                dropOlderThan(thisMonth.minusMonths(retentionMonths));
            }
        } catch (RuntimeException e) {
            log.warn("Maintaining the raw usage partitions failed; will try again: {}", e.getMessage());
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
                log.info("Dropped raw usage partition {} (older than {} months)", partition, retentionMonths);
            }
        }
    }

    /** The first instant still held in raw usage, when a retention drops older months. */
    Instant oldestRetained() {
        if (retentionMonths == 0) {
            return Instant.EPOCH;
        }
        return LocalDate.now(clock.withZone(ZoneOffset.UTC)).withDayOfMonth(1).minusMonths(retentionMonths)
                .atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
