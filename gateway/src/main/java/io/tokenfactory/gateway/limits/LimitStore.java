package io.tokenfactory.gateway.limits;

import java.time.Duration;

import reactor.core.publisher.Mono;

/**
 * Counters in fixed one-minute windows. {@link #tryAcquire} adds to a counter only if the
 * result stays within the limit, atomically, so concurrent requests can never together
 * pass a limit.
 */
interface LimitStore {

    /**
     * @return the counter's new value, or -1 when adding {@code amount} would exceed
     * {@code limit}
     */
    Mono<Long> tryAcquire(String counter, long amount, long limit, Duration window);

    /**
     * Corrects a counter by {@code delta} (negative to give back what a request reserved
     * but did not use).
     */
    Mono<Void> adjust(String counter, long delta, Duration window);

}
