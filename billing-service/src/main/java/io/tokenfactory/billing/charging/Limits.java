package io.tokenfactory.billing.charging;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * What billing can store and price: anything outside is an impossible event,
 * dead-lettered, never retried.
 */
final class Limits {

    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");

    private static final Instant LATEST = Instant.parse("9999-01-01T00:00:00Z");

    /**
     * NUMERIC(30,9) holds 21 integer digits; a petajoule per record is already absurd.
     */
    private static final BigDecimal MOST_JOULES = new BigDecimal("1e18");

    private Limits() {
    }

    static boolean plausibleTime(Instant instant) {
        return !instant.isBefore(EARLIEST) && instant.isBefore(LATEST);
    }

    static boolean plausibleJoules(BigDecimal joules) {
        return joules.signum() >= 0 && joules.compareTo(MOST_JOULES) <= 0;
    }

    static boolean plausibleSeconds(double seconds) {
        return Double.isFinite(seconds) && seconds >= 0 && seconds <= 1e12;
    }

}
