package io.tokenfactory.metering;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.PowerSampled;
import io.tokenfactory.contracts.TokenFactoryEvent;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.support.events.CloudEventMessages;

import org.springframework.cloud.stream.function.StreamBridge;

/**
 * Events as inference-service sends them, and a way to send them to metering-service
 * through the broker.
 */
public final class MeteringEvents {

    public static final String USAGE_DESTINATION = "tokenfactory.usage-recorded";

    public static final String POWER_DESTINATION = "tokenfactory.power-sampled";

    private MeteringEvents() {
    }

    public static UsageRecorded usage(UUID department, Instant at, long prompt, long completion, double joules) {
        return usage(department, null, "byte-lm-moby", "node-a", at, prompt, completion, joules);
    }

    public static UsageRecorded usage(UUID department, UUID agent, String model, String node, Instant at, long prompt,
            long completion, double joules) {
        return usage(department, agent, model, node, at, prompt, completion, joules, EnergySource.RAPL);
    }

    public static UsageRecorded usage(UUID department, UUID agent, String model, String node, Instant at, long prompt,
            long completion, double joules, EnergySource source) {
        return new UsageRecorded(UUID.randomUUID(), at, "req-" + UUID.randomUUID(), department, UUID.randomUUID(),
                agent, null, model, "djl", node, "cpu0", prompt, completion, UsageOutcome.COMPLETED, 900, 80, joules,
                source, 0.9, false, null, 0.0);
    }

    /**
     * Usage served by one deployment of a model (null: a producer that predates
     * deployments).
     */
    public static UsageRecorded deployed(UUID department, String model, String node, String deployment, Instant at,
            long prompt, long completion, double joules) {
        return new UsageRecorded(UUID.randomUUID(), at, "req-" + UUID.randomUUID(), department, UUID.randomUUID(), null,
                null, model, "djl", node, "cpu0", prompt, completion, UsageOutcome.COMPLETED, 900, 80, joules,
                EnergySource.RAPL, 0.9, false, null, 0.0, null, null, Map.of(), deployment);
    }

    public static PowerSampled power(String node, Instant start, Instant end, double joules, double busyJoules) {
        return power(node, start, end, joules, busyJoules, 0, 0);
    }

    /**
     * A power window with accelerator time: all of it, and the part with requests in
     * flight.
     */
    public static PowerSampled power(String node, Instant start, Instant end, double joules, double busyJoules,
            double acceleratorSeconds, double busyAcceleratorSeconds) {
        return new PowerSampled(UUID.randomUUID(), end, node, "cpu0", "cpu", start, end, joules, busyJoules,
                EnergySource.RAPL, "cpu-small", acceleratorSeconds, busyAcceleratorSeconds, 0.0);
    }

    public static void publish(StreamBridge bridge, TokenFactoryEvent event) {
        String destination = event instanceof PowerSampled ? POWER_DESTINATION : USAGE_DESTINATION;
        assertThat(bridge.send(destination, CloudEventMessages.toMessage(event, "urn:tokenfactory:inference-service")))
            .isTrue();
    }

}
