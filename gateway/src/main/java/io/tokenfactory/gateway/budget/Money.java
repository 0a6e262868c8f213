package io.tokenfactory.gateway.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Amounts in the store are whole nano-units of the currency (longs, so Redis adds them
 * exactly). A reservation rounds up, a settled charge to the nearest.
 */
final class Money {

    private static final int SCALE = 9;

    private static final BigDecimal MOST = BigDecimal.valueOf(Long.MAX_VALUE / 4).movePointLeft(SCALE);

    private Money() {
    }

    static long nanos(BigDecimal amount) {
        return toNanos(amount, RoundingMode.HALF_EVEN);
    }

    static long nanosUp(BigDecimal amount) {
        return toNanos(amount, RoundingMode.CEILING);
    }

    private static long toNanos(BigDecimal amount, RoundingMode rounding) {
        // saturating: an absurd worst case must be refused, never overflow into room
        return amount.min(MOST).max(MOST.negate()).movePointRight(SCALE).setScale(0, rounding).longValueExact();
    }

    static BigDecimal amount(long nanos) {
        return BigDecimal.valueOf(nanos, SCALE);
    }

}
