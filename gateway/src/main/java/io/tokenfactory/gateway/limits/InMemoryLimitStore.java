package io.tokenfactory.gateway.limits;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import reactor.core.publisher.Mono;

/**
 * Limit counters of one gateway instance; a counter disappears a while after it was last
 * used (minute windows long after they end).
 */
class InMemoryLimitStore implements LimitStore {

    private final Cache<String, long[]> counters = Caffeine.newBuilder()
        .expireAfterAccess(Allowance.UNDER_WAY.toMinutes() + 1, TimeUnit.MINUTES)
        .build();

    @Override
    public Mono<Long> tryAcquire(String counter, long amount, long limit, Duration window) {
        long[] value = counters.get(counter, unused -> new long[1]);
        synchronized (value) {
            if (value[0] + amount > limit) {
                return Mono.just(-1L);
            }
            value[0] += amount;
            return Mono.just(value[0]);
        }
    }

    @Override
    public Mono<Void> adjust(String counter, long delta, Duration window) {
        long[] value = counters.get(counter, unused -> new long[1]);
        synchronized (value) {
            value[0] += delta;
        }
        return Mono.empty();
    }

}
