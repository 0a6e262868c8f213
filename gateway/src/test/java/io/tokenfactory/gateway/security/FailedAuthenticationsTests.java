package io.tokenfactory.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;

/**
 * Wrong keys per client address and minute: past the limit the address waits for the rest
 * of its minute.
 */
class FailedAuthenticationsTests {

    private static final Instant MINUTE = Instant.parse("2026-11-05T10:00:00Z");

    private final SettableClock clock = new SettableClock(MINUTE.plusSeconds(10));

    private final FailedAuthentications failures = new FailedAuthentications(3, clock);

    @Test
    void anAddressIsBlockedOnlyOnceItReachedTheLimitAndForTheRestOfTheMinuteRoundedUp() {
        failures.failed(from("10.0.0.1"));
        failures.failed(from("10.0.0.1"));
        assertThat(failures.blockedFor(from("10.0.0.1"))).isZero();

        failures.failed(from("10.0.0.1"));
        clock.now = MINUTE.plusMillis(20_500);

        assertThat(failures.blockedFor(from("10.0.0.1"))).isEqualTo(40);
        clock.now = MINUTE.plusMillis(59_999);
        assertThat(failures.blockedFor(from("10.0.0.1"))).isEqualTo(1);
    }

    @Test
    void theNextMinuteStartsAfresh() {
        for (int i = 0; i < 3; i++) {
            failures.failed(from("10.0.0.1"));
        }
        clock.now = MINUTE.plusSeconds(60);

        assertThat(failures.blockedFor(from("10.0.0.1"))).isZero();
        failures.failed(from("10.0.0.1"));
        assertThat(failures.blockedFor(from("10.0.0.1"))).isZero();
    }

    @Test
    void addressesAreCountedApartAndOneWithoutAnAddressCountsAsUnknown() {
        for (int i = 0; i < 3; i++) {
            failures.failed(from("10.0.0.1"));
            failures.failed(MockServerWebExchange.from(MockServerHttpRequest.get("/v1/models")));
        }

        assertThat(failures.blockedFor(from("10.0.0.2"))).isZero();
        assertThat(failures.blockedFor(from("10.0.0.1"))).isEqualTo(50);
        assertThat(failures.blockedFor(MockServerWebExchange.from(MockServerHttpRequest.get("/")))).isEqualTo(50);
    }

    private static ServerWebExchange from(String address) {
        return MockServerWebExchange
            .from(MockServerHttpRequest.get("/v1/models").remoteAddress(new InetSocketAddress(address, 40_000)));
    }

    private static final class SettableClock extends Clock {

        Instant now;

        SettableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

    }

}
