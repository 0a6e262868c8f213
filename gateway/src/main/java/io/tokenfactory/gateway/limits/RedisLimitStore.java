package io.tokenfactory.gateway.limits;

import java.time.Duration;
import java.util.List;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import reactor.core.publisher.Mono;

/**
 * Limit counters in Redis, shared by every gateway replica. Check-and-add runs as one Lua
 * script, so it is atomic across replicas; keys expire after their window.
 */
class RedisLimitStore implements LimitStore {

    private static final RedisScript<Long> TRY_ACQUIRE = RedisScript.of("""
            local current = tonumber(redis.call('GET', KEYS[1]) or '0')
            if current + tonumber(ARGV[1]) > tonumber(ARGV[2]) then
              return -1
            end
            local value = redis.call('INCRBY', KEYS[1], ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return value
            """, Long.class);

    private static final RedisScript<Long> ADJUST = RedisScript.of("""
            local value = redis.call('INCRBY', KEYS[1], ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return value
            """, Long.class);

    private final ReactiveStringRedisTemplate redis;

    RedisLimitStore(ReactiveStringRedisTemplate redis) {
        this.redis = redis;
    }

    @Override
    public Mono<Long> tryAcquire(String counter, long amount, long limit, Duration window) {
        return redis
            .execute(TRY_ACQUIRE, List.of(key(counter)),
                    List.of(Long.toString(amount), Long.toString(limit),
                            Long.toString(window.multipliedBy(2).toMillis())))
            .next();
    }

    @Override
    public Mono<Void> adjust(String counter, long delta, Duration window) {
        return redis
            .execute(ADJUST, List.of(key(counter)),
                    List.of(Long.toString(delta), Long.toString(window.multipliedBy(2).toMillis())))
            .then();
    }

    private static String key(String counter) {
        return "tokenfactory:limits:" + counter;
    }

}
