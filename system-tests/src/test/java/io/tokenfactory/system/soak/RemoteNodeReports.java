package io.tokenfactory.system.soak;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.system.soak.Broker.OutsideEvent;
import io.tokenfactory.system.soak.Reconciliation.Usage;

/**
 * Usage reported straight to the broker by an inference node outside this suite, some of
 * it late, for a month that is already closed: metering and billing must take it exactly
 * like inference-service's own, and bill the late part in the open month without touching
 * the closed month's statements. What was reported is kept for reconciliation.
 */
final class RemoteNodeReports {

    static final String NODE = "soak-remote-node";

    private final Broker broker;

    private final Random random = new Random(42);

    final Map<UUID, Usage> reported = new ConcurrentHashMap<>();

    RemoteNodeReports(Broker broker) {
        this.broker = broker;
    }

    /**
     * Sends one completed request per department, each at a random moment of the given
     * month's first day.
     */
    void report(List<UUID> departments, Instant day, String model) {
        List<OutsideEvent> events = new ArrayList<>();
        Map<UUID, Usage> sent = new LinkedHashMap<>();
        for (UUID department : departments) {
            UUID eventId = UUID.randomUUID();
            String requestId = "remote-" + eventId;
            long prompt = 10 + random.nextInt(200);
            long completion = 1 + random.nextInt(400);
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("eventId", eventId);
            event.put("occurredAt", day.plusSeconds(random.nextInt(86_400)).toString());
            event.put("requestId", requestId);
            event.put("departmentId", department);
            event.put("apiKeyId", null);
            event.put("agentId", null);
            event.put("agentRunId", null);
            event.put("model", model);
            event.put("backend", "remote");
            event.put("node", NODE);
            event.put("device", "remote-server");
            event.put("promptTokens", prompt);
            event.put("completionTokens", completion);
            event.put("outcome", "COMPLETED");
            event.put("latencyMs", 900);
            event.put("timeToFirstTokenMs", 120);
            event.put("energyJoules", 0.0);
            event.put("energySource", "NONE");
            event.put("acceleratorSeconds", 0.0);
            event.put("tokensEstimated", false);
            String subject = "department/" + department;
            events.add(new OutsideEvent(subject,
                    Map.of("ce-type", EventTypes.USAGE_RECORDED, "ce-id", eventId.toString(), "ce-specversion", "1.0",
                            "ce-source", "urn:tokenfactory:" + NODE, "ce-subject", subject),
                    Api.JSON.writeValueAsString(event)));
            sent.put(eventId, new Usage(requestId, prompt, completion, BigDecimal.ZERO));
        }
        broker.publish("tokenfactory.usage-recorded", events);
        reported.putAll(sent);
    }

}
