package io.tokenfactory.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import io.tokenfactory.gateway.TestRedis;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import reactor.core.publisher.Flux;

/**
 * Both money stores: all or nothing across budgets, the book of record's floor, expiry of
 * a dead gateway's reservations, and no overshoot under concurrent load. The Redis store
 * runs against {@code TF_REDIS_HOST} when set (CI sets it when Redis answers).
 */
class MoneyStoreIntegrationTests {

    private static final Duration TTL = Duration.ofMinutes(15);

    /** The stores' clock: a test moves it to expire reservations. */
    private static final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

    private static final TestRedis REDIS = new TestRedis();

    static Stream<Arguments> stores() {
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        Stream<Arguments> memory = Stream.of(Arguments.of("memory", new InMemoryMoneyStore(clock)));
        return Stream.concat(memory,
                REDIS.template().map(redis -> Arguments.of("redis", new RedisMoneyStore(redis, clock))).stream());
    }

    @AfterAll
    static void closeRedis() {
        REDIS.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void concurrentReservationsNeverTogetherPassALimit(String name, MoneyStore store) {
        MoneyStore.Budget budget = new MoneyStore.Budget("test:" + UUID.randomUUID(), 1_000, 0);

        long admitted = Flux.range(0, 200)
            .flatMap(i -> store.reserve("r" + i, List.of(budget), 7, TTL), 32)
            .filter(refused -> refused < 0)
            .count()
            .block(Duration.ofSeconds(30));

        assertThat(admitted).isEqualTo(1_000 / 7);
        assertThat(store.read(List.of(budget.key())).block().get(0).reserved()).isEqualTo(admitted * 7);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void takesFromEveryBudgetOrFromNoneAndSettlesToTheActualCharge(String name, MoneyStore store) {
        MoneyStore.Budget roomy = new MoneyStore.Budget("test:" + UUID.randomUUID(), 1_000, 0);
        MoneyStore.Budget tight = new MoneyStore.Budget("test:" + UUID.randomUUID(), 100, 0);

        assertThat(store.reserve("a", List.of(roomy, tight), 80, TTL).block()).isEqualTo(-1);
        // the tight one refuses: the roomy one keeps only the first reservation
        assertThat(store.reserve("b", List.of(roomy, tight), 80, TTL).block()).isEqualTo(1);
        assertThat(store.read(List.of(roomy.key(), tight.key())).block()).extracting(MoneyStore.Held::reserved)
            .containsExactly(80L, 80L);

        store.settle("a", List.of(roomy.key(), tight.key()), 30).block();

        assertThat(store.read(List.of(roomy.key(), tight.key())).block()).containsExactly(new MoneyStore.Held(30, 0),
                new MoneyStore.Held(30, 0));
        assertThat(store.reserve("c", List.of(roomy, tight), 70, TTL).block()).isEqualTo(-1);
        assertThat(store.reserve("d", List.of(roomy, tight), 1, TTL).block()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aBudgetFirstSeenStartsFromTheFloorAndCountsTheLargerOfFloorAndTally(String name, MoneyStore store) {
        String key = "test:" + UUID.randomUUID();

        assertThat(store.reserve("a", List.of(new MoneyStore.Budget(key, 100, 60)), 30, TTL).block()).isEqualTo(-1);
        store.settle("a", List.of(key), 30).block();
        assertThat(store.read(List.of(key)).block().get(0).spent()).isEqualTo(90);
        // billing catches up below the tally: the tally counts; above it: billing counts
        assertThat(store.reserve("b", List.of(new MoneyStore.Budget(key, 100, 80)), 11, TTL).block()).isZero();
        assertThat(store.reserve("c", List.of(new MoneyStore.Budget(key, 100, 95)), 6, TTL).block()).isZero();
        assertThat(store.reserve("d", List.of(new MoneyStore.Budget(key, 100, 95)), 5, TTL).block()).isEqualTo(-1);
        store.raiseSpent(key, 99).block();
        assertThat(store.read(List.of(key)).block().get(0).spent()).isEqualTo(99);
        store.raiseSpent(key, 10).block();
        assertThat(store.read(List.of(key)).block().get(0).spent()).isEqualTo(99);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aReservationWhoseGatewayDiedGivesItsRoomBackWhenItExpiresAndALateSettleStillCounts(String name,
            MoneyStore store) {
        MoneyStore.Budget budget = new MoneyStore.Budget("test:" + UUID.randomUUID(), 100, 0);
        assertThat(store.reserve("lost", List.of(budget), 90, Duration.ofSeconds(30)).block()).isEqualTo(-1);
        assertThat(store.reserve("next", List.of(budget), 20, TTL).block()).isZero();

        now.updateAndGet(instant -> instant.plusSeconds(31));

        assertThat(store.reserve("next", List.of(budget), 20, TTL).block()).isEqualTo(-1);
        store.settle("lost", List.of(budget.key()), 40).block();
        assertThat(store.read(List.of(budget.key())).block().get(0)).isEqualTo(new MoneyStore.Held(40, 20));
    }

}
