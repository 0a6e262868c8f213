package io.tokenfactory.metering.usage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

import io.tokenfactory.metering.MeteringProperties;

import org.springframework.stereotype.Component;

/**
 * Which usage times metering accepts: from the first month raw usage is still kept (older
 * months are dropped, so a redelivery could no longer be recognised) up to a day ahead of
 * this clock (clock skew between nodes).
 */
@Component
class RawUsageRetention {

    static final Duration CLOCK_SKEW = Duration.ofDays(1);

    private final int months;

    private final Clock clock;

    RawUsageRetention(MeteringProperties properties, Clock clock) {
        this.months = properties.rawUsageRetentionMonths();
        this.clock = clock;
    }

    int months() {
        return months;
    }

    LocalDate thisMonth() {
        return LocalDate.now(clock.withZone(ZoneOffset.UTC)).withDayOfMonth(1);
    }

    /** The first instant still held in raw usage; the epoch when everything is kept. */
    Instant oldestRetained() {
        return months == 0 ? Instant.EPOCH : thisMonth().minusMonths(months).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    boolean accepts(Instant occurredAt) {
        return !occurredAt.isBefore(oldestRetained()) && !occurredAt.isAfter(clock.instant().plus(CLOCK_SKEW));
    }

}
