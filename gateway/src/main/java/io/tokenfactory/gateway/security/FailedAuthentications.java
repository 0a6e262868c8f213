package io.tokenfactory.gateway.security;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import org.springframework.web.server.ServerWebExchange;

/**
 * Wrong keys per client address and minute. Past the limit the address is refused before
 * any key is looked at, until its minute is over, so guessing keys costs the guesser a
 * minute per handful of tries. Counted per gateway instance (a client spreading guesses
 * over replicas gets the limit once per replica).
 */
final class FailedAuthentications {

    private record Window(long minute, AtomicInteger failures) {
    }

    private final Cache<String, Window> windows = Caffeine.newBuilder()
        .maximumSize(100_000)
        .expireAfterWrite(Duration.ofMinutes(2))
        .build();

    private final int perMinute;

    private final Clock clock;

    FailedAuthentications(int perMinute, Clock clock) {
        this.perMinute = perMinute;
        this.clock = clock;
    }

    /** Seconds until this address may try again; 0 when it may now. */
    long blockedFor(ServerWebExchange exchange) {
        Window window = windows.getIfPresent(address(exchange));
        long now = clock.millis();
        if (window == null || window.minute() != now / 60_000 || window.failures().get() < perMinute) {
            return 0;
        }
        return Math.max(1, (60_000 - now % 60_000 + 999) / 1000);
    }

    void failed(ServerWebExchange exchange) {
        long minute = clock.millis() / 60_000;
        windows.asMap()
            .compute(address(exchange),
                    (address, window) -> window == null || window.minute() != minute
                            ? new Window(minute, new AtomicInteger()) : window)
            .failures()
            .incrementAndGet();
    }

    private static String address(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress();
    }

}
