package io.tokenfactory.gateway.budget;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import reactor.core.publisher.Mono;

/**
 * Budgets in Redis, shared by every gateway replica: each budget is a hash (spent,
 * reserved and one field per open reservation) with a sorted set of reservation expiries
 * beside it; each operation is one Lua script, so it is atomic across replicas. Amounts
 * stay below 2^53 nano-units (9 million in the currency per budget and month) where Lua's
 * numbers are exact.
 */
class RedisMoneyStore implements MoneyStore {

    /** Drops expired reservations of one budget (KEYS[i]) before it is read. */
    private static final String EXPIRE = """
            local function expire(key, now)
              local gone = redis.call('ZRANGEBYSCORE', key .. ':expiry', '-inf', now)
              for _, id in ipairs(gone) do
                local amount = redis.call('HGET', key, 'r:' .. id)
                if amount then
                  redis.call('HINCRBY', key, 'reserved', -tonumber(amount))
                  redis.call('HDEL', key, 'r:' .. id)
                end
                redis.call('ZREM', key .. ':expiry', id)
              end
            end
            """;

    private static final RedisScript<Long> RESERVE = RedisScript.of(EXPIRE + """
            local id, amount, now, expires, keep = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
            for i, key in ipairs(KEYS) do
              expire(key, now)
              local limit, floor = tonumber(ARGV[4 + 2 * i]), tonumber(ARGV[5 + 2 * i])
              -- a budget first seen this month starts from the book of record's figure
              if redis.call('HSETNX', key, 'spent', ARGV[5 + 2 * i]) == 1 then
                redis.call('PEXPIRE', key, keep)
              end
              local spent = tonumber(redis.call('HGET', key, 'spent'))
              local reserved = tonumber(redis.call('HGET', key, 'reserved') or '0')
              if math.max(spent, floor) + reserved + amount > limit then
                return i - 1
              end
            end
            for _, key in ipairs(KEYS) do
              redis.call('HINCRBY', key, 'reserved', amount)
              redis.call('HSET', key, 'r:' .. id, amount)
              redis.call('ZADD', key .. ':expiry', expires, id)
              redis.call('PEXPIRE', key, keep)
              redis.call('PEXPIRE', key .. ':expiry', keep)
            end
            return -1
            """, Long.class);

    private static final RedisScript<Long> SETTLE = RedisScript.of("""
            local id, actual, keep = ARGV[1], tonumber(ARGV[2]), ARGV[3]
            for _, key in ipairs(KEYS) do
              local amount = redis.call('HGET', key, 'r:' .. id)
              if amount then
                redis.call('HINCRBY', key, 'reserved', -tonumber(amount))
                redis.call('HDEL', key, 'r:' .. id)
                redis.call('ZREM', key .. ':expiry', id)
              end
              redis.call('HINCRBY', key, 'spent', actual)
              redis.call('PEXPIRE', key, keep)
            end
            return 0
            """, Long.class);

    private static final RedisScript<Long> RAISE = RedisScript.of("""
            local spent = tonumber(redis.call('HGET', KEYS[1], 'spent') or '0')
            if spent < tonumber(ARGV[1]) then
              redis.call('HSET', KEYS[1], 'spent', ARGV[1])
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0
            """, Long.class);

    private static final RedisScript<List> READ = RedisScript.of(EXPIRE + """
            local held = {}
            for i, key in ipairs(KEYS) do
              expire(key, ARGV[1])
              held[2 * i - 1] = redis.call('HGET', key, 'spent') or '0'
              held[2 * i] = redis.call('HGET', key, 'reserved') or '0'
            end
            return held
            """, List.class);

    /** A month's budgets are kept a little beyond the longest month. */
    private static final Duration KEEP = Duration.ofDays(40);

    private final ReactiveStringRedisTemplate redis;

    private final Clock clock;

    RedisMoneyStore(ReactiveStringRedisTemplate redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    @Override
    public Mono<Integer> reserve(String reservationId, List<Budget> budgets, long amount, Duration ttl) {
        long now = clock.millis();
        List<String> arguments = new ArrayList<>(List.of(reservationId, Long.toString(amount), Long.toString(now),
                Long.toString(now + ttl.toMillis()), Long.toString(KEEP.toMillis())));
        budgets.forEach(budget -> {
            arguments.add(Long.toString(budget.limit()));
            arguments.add(Long.toString(budget.floor()));
        });
        return redis.execute(RESERVE, budgets.stream().map(budget -> key(budget.key())).toList(), arguments)
            .next()
            .map(Long::intValue);
    }

    @Override
    public Mono<Void> settle(String reservationId, List<String> keys, long actual) {
        return redis
            .execute(SETTLE, keys.stream().map(RedisMoneyStore::key).toList(),
                    List.of(reservationId, Long.toString(actual), Long.toString(KEEP.toMillis())))
            .then();
    }

    @Override
    public Mono<Void> raiseSpent(String key, long spent) {
        return redis.execute(RAISE, List.of(key(key)), List.of(Long.toString(spent), Long.toString(KEEP.toMillis())))
            .then();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Mono<List<Held>> read(List<String> keys) {
        if (keys.isEmpty()) {
            return Mono.just(List.of());
        }
        return redis
            .execute(READ, keys.stream().map(RedisMoneyStore::key).toList(), List.of(Long.toString(clock.millis())))
            .collectList()
            .map(values -> {
                // a multi-bulk reply arrives as one list or as its elements, by driver
                List<Object> flat = values.size() == 1 && values.get(0) instanceof List<?> nested
                        ? (List<Object>) nested : (List<Object>) (List<?>) values;
                List<Held> held = new ArrayList<>();
                for (int i = 0; i < keys.size(); i++) {
                    held.add(new Held(Long.parseLong(flat.get(2 * i).toString()),
                            Long.parseLong(flat.get(2 * i + 1).toString())));
                }
                return held;
            });
    }

    private static String key(String budget) {
        return "tokenfactory:money:" + budget;
    }

}
