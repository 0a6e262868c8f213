package io.tokenfactory.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.apikey.ApiKeyView;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Requests and tokens per minute: fixed clock-aligned windows, all-or-nothing counting,
 * settlement, Retry-After.
 */
class AllowanceTests {

    private static final Instant MINUTE = Instant.parse("2026-11-05T10:00:00Z");

    private static final UUID DEPARTMENT = UUID.randomUUID();

    /**
     * One store for every allowance of a test: like replicas sharing Redis, or one
     * gateway over time.
     */
    private final InMemoryLimitStore store = new InMemoryLimitStore();

    @Test
    void countsAKeysRequestsPerMinuteAndTheFirstOneOverWaitsForTheNextMinute() {
        ApiKeyView key = key(2, null);
        Allowance at15s = allowance(MINUTE.plusSeconds(15));

        at15s.countRequest(key).block();
        at15s.countRequest(key).block();

        assertThatThrownBy(() -> at15s.countRequest(key).block()).isInstanceOfSatisfying(Allowance.LimitExceeded.class,
                refused -> {
                    assertThat(refused.retryAfterSeconds()).isEqualTo(45);
                    assertThat(refused).hasMessage("Over the requests per minute of this key (2)");
                });
        allowance(MINUTE.plusSeconds(60)).countRequest(key).block();
    }

    @Test
    void retryAfterIsTheRestOfTheMinuteFromOneSecondToSixty() {
        ApiKeyView key = key(1, null);
        allowance(MINUTE).countRequest(key).block();

        assertThat(retryAfter(() -> allowance(MINUTE).countRequest(key).block())).isEqualTo(60);
        assertThat(retryAfter(() -> allowance(MINUTE.plusMillis(59_999)).countRequest(key).block())).isEqualTo(1);
    }

    @Test
    void whenTheDepartmentRefusesARequestTheKeyGetsItsCountBack() {
        ApiKeyView key = key(2, null);
        ApiKeyView colleague = key(null, null);
        Allowance departmentOfTwo = allowance(MINUTE, "limits.department-rpm", "2");
        departmentOfTwo.countRequest(key).block();
        departmentOfTwo.countRequest(colleague).block();

        assertThatThrownBy(() -> departmentOfTwo.countRequest(key).block()).isInstanceOf(Allowance.LimitExceeded.class)
            .hasMessage("Over the requests per minute of this department (2)");

        // the key has used one of its two requests, not two: exactly one more passes its
        // own limit
        Allowance keyOnly = allowance(MINUTE);
        keyOnly.countRequest(key).block();
        assertThatThrownBy(() -> keyOnly.countRequest(key).block()).isInstanceOf(Allowance.LimitExceeded.class);
    }

    @Test
    void aKeyWithoutADepartmentIsNotCountedAgainstAnyDepartmentLimit() {
        ApiKeyView platformKey = new ApiKeyView(UUID.randomUUID(), "admin", "tf_abc…wxyz", null, null, Set.of("admin"),
                List.of(), null, null, null, null, MINUTE, null);
        Allowance departmentOfOne = allowance(MINUTE, "limits.department-rpm", "1", "limits.department-tpm", "1");

        departmentOfOne.countRequest(platformKey).block();
        departmentOfOne.countRequest(platformKey).block();
        assertThat(departmentOfOne.reserveTokens(platformKey, 1_000).block()).isEqualTo(Allowance.Reservation.NONE);
    }

    @Test
    void reservedTokensCountUntilSettledToWhatTheRequestActuallyUsed() {
        ApiKeyView key = key(null, 1_000L);
        Allowance allowance = allowance(MINUTE);

        Allowance.Reservation first = allowance.reserveTokens(key, 600).block();
        assertThatThrownBy(() -> allowance.reserveTokens(key, 600).block()).isInstanceOf(Allowance.LimitExceeded.class)
            .hasMessage("Over the tokens per minute of this key (1000)");

        allowance.settle(first, 100).block();
        Allowance.Reservation second = allowance.reserveTokens(key, 900).block();
        assertThat(second.tokens()).isEqualTo(900);
        assertThatThrownBy(() -> allowance.reserveTokens(key, 1).block()).isInstanceOf(Allowance.LimitExceeded.class);
    }

    @Test
    void usageAboveTheReservationIsCountedInFull() {
        ApiKeyView key = key(null, 1_000L);
        Allowance allowance = allowance(MINUTE);

        allowance.settle(allowance.reserveTokens(key, 100).block(), 900).block();

        assertThatThrownBy(() -> allowance.reserveTokens(key, 101).block()).isInstanceOf(Allowance.LimitExceeded.class);
        allowance.reserveTokens(key, 100).block();
    }

    @Test
    void aRequestLargerThanAWholeLimitIsTooLargeNotAMatterOfWaitingAndTakesNothing() {
        ApiKeyView key = key(null, 1_000L);
        Allowance allowance = allowance(MINUTE);

        assertThatThrownBy(() -> allowance.reserveTokens(key, 1_001).block())
            .isInstanceOf(Allowance.RequestTooLarge.class)
            .hasMessage("This request may use up to 1001 tokens, more than the tokens per minute of this key (1000);"
                    + " lower max_tokens");
        assertThat(allowance.reserveTokens(key, 1_000).block().tokens()).isEqualTo(1_000);
    }

    @Test
    void whenTheDepartmentRefusesTokensTheKeyGetsItsReservationBack() {
        ApiKeyView key = key(null, 1_000L);
        Allowance departmentOf500 = allowance(MINUTE, "limits.department-tpm", "500");
        departmentOf500.reserveTokens(key, 400).block();

        assertThatThrownBy(() -> departmentOf500.reserveTokens(key, 200).block())
            .isInstanceOf(Allowance.LimitExceeded.class)
            .hasMessage("Over the tokens per minute of this department (500)");

        // 400 of the key's 1000 are taken, not 600
        assertThat(allowance(MINUTE).reserveTokens(key, 600).block().tokens()).isEqualTo(600);
    }

    @Test
    void aReservationNamesEveryCounterItTookAndSettlingItMovesAllOfThem() {
        ApiKeyView key = key(null, 1_000L);
        Allowance both = allowance(MINUTE, "limits.department-tpm", "1000");

        Allowance.Reservation reservation = both.reserveTokens(key, 800).block();
        assertThat(reservation.tokenCounters()).hasSize(2);
        both.settle(reservation, 0).block();

        // both counters are back to zero: the key's limit and the department's each take
        // 1000 again
        assertThat(both.reserveTokens(key, 1_000).block().tokens()).isEqualTo(1_000);
    }

    @Test
    void withoutTokenLimitsNothingIsReservedAndSettlingChangesNothing() {
        ApiKeyView key = key(null, null);
        Allowance allowance = allowance(MINUTE);

        Allowance.Reservation reservation = allowance.reserveTokens(key, 5_000).block();

        assertThat(reservation).isEqualTo(Allowance.Reservation.NONE);
        allowance.settle(reservation, 10_000).block();
    }

    @Test
    void tokensOfOneMinuteDoNotCountInTheNext() {
        ApiKeyView key = key(null, 1_000L);
        allowance(MINUTE.plusSeconds(59)).reserveTokens(key, 1_000).block();

        assertThat(allowance(MINUTE.plusSeconds(60)).reserveTokens(key, 1_000).block().tokens()).isEqualTo(1_000);
    }

    private Allowance allowance(Instant now, String... settings) {
        return new Allowance(store, properties(settings), Clock.fixed(now, ZoneOffset.UTC));
    }

    private static long retryAfter(Runnable refused) {
        try {
            refused.run();
        }
        catch (Allowance.LimitExceeded e) {
            return e.retryAfterSeconds();
        }
        throw new AssertionError("expected the limit to refuse");
    }

    static GatewayProperties properties(String... settings) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            values.put("tokenfactory.gateway." + settings[i], settings[i + 1]);
        }
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("tokenfactory.gateway",
                GatewayProperties.class);
    }

    private static ApiKeyView key(Integer rpm, Long tpm) {
        return new ApiKeyView(UUID.randomUUID(), "team key", "tf_abc…wxyz", DEPARTMENT, null, Set.of("inference"),
                List.of(), rpm, tpm, null, null, MINUTE, null);
    }

    @Test
    void theHeadroomReportedIsThatOfTheTightestLimitInOpenAisDurationFormat() {
        Allowance.Headroom key = new Allowance.Headroom(100, 40, 17);
        Allowance.Headroom department = new Allowance.Headroom(1_000, 12, 17);

        assertThat(key.tighter(department)).isEqualTo(department);
        assertThat(department.tighter(key)).isEqualTo(department);
        assertThat(Allowance.Headroom.NONE.tighter(key)).isEqualTo(key);
        assertThat(key.tighter(Allowance.Headroom.NONE)).isEqualTo(key);
        assertThat(key.reset()).isEqualTo("17s");
        assertThat(new Allowance.Headroom(1, 0, 60).reset()).isEqualTo("1m0s");
    }

}
