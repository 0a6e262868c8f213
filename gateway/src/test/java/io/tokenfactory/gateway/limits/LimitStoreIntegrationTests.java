package io.tokenfactory.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.tokenfactory.gateway.TestRedis;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import reactor.core.publisher.Flux;

/**
 * Both stores under concurrent load: the sum of what they admit never passes the limit.
 * The Redis store runs against the server named by {@code TF_REDIS_HOST} (CI sets it when
 * Redis answers) and is skipped otherwise.
 */
class LimitStoreIntegrationTests {

    private static final TestRedis REDIS = new TestRedis();

    static Stream<Arguments> stores() {
        Stream<Arguments> memory = Stream.of(Arguments.of("memory", new InMemoryLimitStore()));
        return Stream.concat(memory,
                REDIS.template().map(redis -> Arguments.of("redis", new RedisLimitStore(redis))).stream());
    }

    @AfterAll
    static void closeRedis() {
        REDIS.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void admitsConcurrentAcquisitionsOnlyUpToTheLimit(String name, LimitStore store) {
        String counter = "test:" + UUID.randomUUID();

        List<Long> results = Flux.range(0, 200)
            .flatMap(i -> store.tryAcquire(counter, 7, 1_000, Duration.ofMinutes(1)), 32)
            .collectList()
            .block(Duration.ofSeconds(30));

        long admitted = results.stream().filter(value -> value >= 0).count();
        assertThat(admitted).isEqualTo(1_000 / 7);
        assertThat(results.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(admitted * 7);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void givesBackWhatASettledRequestDidNotUse(String name, LimitStore store) {
        String counter = "test:" + UUID.randomUUID();
        assertThat(store.tryAcquire(counter, 900, 1_000, Duration.ofMinutes(1)).block()).isEqualTo(900);
        assertThat(store.tryAcquire(counter, 200, 1_000, Duration.ofMinutes(1)).block()).isEqualTo(-1);

        store.adjust(counter, -500, Duration.ofMinutes(1)).block();

        assertThat(store.tryAcquire(counter, 200, 1_000, Duration.ofMinutes(1)).block()).isEqualTo(600);
    }

}
