package io.tokenfactory.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * One gateway's counters: check-and-add never passes the limit, and adjustments move the
 * counter either way.
 */
class InMemoryLimitStoreTests {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final InMemoryLimitStore store = new InMemoryLimitStore();

    @Test
    void addsUpToExactlyTheLimitAndRefusesWhatWouldPassItWithoutAddingIt() {
        assertThat(store.tryAcquire("c", 7, 10, MINUTE).block()).isEqualTo(7);
        assertThat(store.tryAcquire("c", 4, 10, MINUTE).block()).isEqualTo(-1);
        assertThat(store.tryAcquire("c", 3, 10, MINUTE).block()).isEqualTo(10);
        assertThat(store.tryAcquire("c", 1, 10, MINUTE).block()).isEqualTo(-1);
    }

    @Test
    void anAdjustmentGivesBackOrAddsAndCountersAreIndependent() {
        store.tryAcquire("c", 10, 10, MINUTE).block();
        store.adjust("c", -6, MINUTE).block();

        assertThat(store.tryAcquire("c", 6, 10, MINUTE).block()).isEqualTo(10);
        store.adjust("c", 5, MINUTE).block();
        assertThat(store.tryAcquire("c", 0, 10, MINUTE).block()).isEqualTo(-1);
        assertThat(store.tryAcquire("other", 10, 10, MINUTE).block()).isEqualTo(10);
    }

}
