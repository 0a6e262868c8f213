package io.tokenfactory.metering;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.tokenfactory.metering.MeteringProperties.PueFrom;
import io.tokenfactory.support.events.ConsumerSettings;
import io.tokenfactory.support.events.OutboxSettings;

/**
 * metering-service's settings for tests without a Spring context, as configured by
 * default unless given.
 */
public final class MeteringFixtures {

    private MeteringFixtures() {
    }

    public static MeteringProperties properties(PueFrom... pue) {
        return properties(13, 10_000_000, pue);
    }

    public static MeteringProperties properties(int rawUsageRetentionMonths, long maxPlausibleTokensPerRequest,
            PueFrom... pue) {
        return new MeteringProperties(maxPlausibleTokensPerRequest, Duration.ofDays(30), rawUsageRetentionMonths,
                URI.create("http://localhost:8082"), URI.create("http://localhost:8084"),
                URI.create("http://localhost:8080"),
                new MeteringProperties.Energy(Duration.ofMinutes(1), Duration.ofMinutes(5), List.of(pue), Map.of()),
                new OutboxSettings(Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30),
                        Duration.ofDays(30), List.of(), 200),
                new ConsumerSettings(3, Duration.ofMillis(500), Duration.ofSeconds(30)),
                new MeteringProperties.Reconciliation(Duration.ofMinutes(2)));
    }

    /** The default settings, with the other services answering at these addresses. */
    public static MeteringProperties properties(URI inferenceUrl, URI billingUrl, URI gatewayUrl) {
        MeteringProperties defaults = properties();
        return new MeteringProperties(defaults.maxPlausibleTokensPerRequest(), defaults.processedEventRetention(),
                defaults.rawUsageRetentionMonths(), inferenceUrl, billingUrl, gatewayUrl, defaults.energy(),
                defaults.outbox(), defaults.consumers(), defaults.reconciliation());
    }

    public static PueFrom pue(String effectiveFrom, String factor) {
        return new PueFrom(Instant.parse(effectiveFrom), new BigDecimal(factor));
    }

}
