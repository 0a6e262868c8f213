package io.tokenfactory.metering.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.support.events.CloudEventMessages;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestInfrastructure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.cloud.stream.binding.BindingsLifecycleController.State;
import org.springframework.cloud.stream.function.StreamBridge;

/**
 * The receiving end of the usage pipe, against a real broker: what inference-service publishes arrives here
 * exactly once, whether the broker redelivers it or metering-service was down when it was published.
 */
@ServiceIntegrationTest
class UsageIngestionIntegrationTests {

    private static final String DESTINATION = "tokenfactory.usage-recorded";
    private static final String BINDING = "usageRecorded-in-0";
    private static final String QUEUE = TestInfrastructure.prefixed(DESTINATION + ".metering-service");

    @Autowired
    StreamBridge streamBridge;
    @Autowired
    MeteredUsageRepository usage;
    @Autowired
    BindingsLifecycleController bindings;
    @Autowired
    RabbitTemplate rabbit;
    @Autowired
    MeterRegistry meters;

    @Test
    void ingestsAUsageEventOnceEvenWhenItIsDeliveredAgain() {
        UsageRecorded event = usageEvent(120, 480);
        double duplicatesBefore = duplicates();

        publish(event);
        publish(event);
        publish(event);

        await().atMost(Duration.ofSeconds(20)).until(() -> duplicates() - duplicatesBefore == 2);
        assertThat(usage.countByRequestId(event.requestId())).isEqualTo(1);
        assertThat(usage.findById(event.eventId())).get()
                .extracting(MeteredUsage::promptTokens, MeteredUsage::completionTokens)
                .containsExactly(120L, 480L);
    }

    @Test
    void ingestsEverythingPublishedWhileItWasDownOnceItIsBack() {
        bindings.changeState(BINDING, State.STOPPED);
        List<UsageRecorded> publishedWhileDown = IntStream.range(0, 5).mapToObj(i -> usageEvent(i, 10)).toList();
        try {
            publishedWhileDown.forEach(this::publish);
            // the durable queue holds them; nothing reaches the database while the consumer is down
            RabbitAdmin admin = new RabbitAdmin(rabbit);
            await().atMost(Duration.ofSeconds(10)).until(() -> admin.getQueueInfo(QUEUE).getMessageCount() == 5);
            assertThat(publishedWhileDown).noneMatch(event -> usage.existsById(event.eventId()));
        } finally {
            bindings.changeState(BINDING, State.STARTED);
        }

        await().atMost(Duration.ofSeconds(20))
                .until(() -> publishedWhileDown.stream().allMatch(event -> usage.existsById(event.eventId())));
        assertThat(publishedWhileDown).allMatch(event -> usage.countByRequestId(event.requestId()) == 1);
    }

    @Test
    @EnabledIf("deadLetteringBroker")
    void sendsPoisonMessagesToTheDeadLetterQueueWithTheReason() {
        MessageProperties properties = new MessageProperties();
        properties.setContentType("application/json");
        rabbit.send(TestInfrastructure.prefixed(DESTINATION), "usage",
                new Message("{\"eventId\": \"not json".getBytes(StandardCharsets.UTF_8), properties));
        UsageRecorded negative = usageEvent(-5, 10);
        publish(negative);

        String deadLetters = TestInfrastructure.prefixed(DESTINATION + ".metering-service.dlq");
        List<String> reasons = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Message dead = rabbit.receive(deadLetters, 500);
            if (dead != null) {
                // the binder wraps the failure; the consumer's own reason is in the "Caused by" of the stack trace
                reasons.add(String.valueOf(dead.getMessageProperties().getHeaders().get("x-exception-stacktrace")));
            }
            return reasons.size() >= 2;
        });
        assertThat(reasons).anyMatch(reason -> reason.contains("RejectedEventException: implausible token counts"));
        assertThat(reasons).anyMatch(reason -> reason.contains("RejectedEventException: payload is not a readable"));
        assertThat(usage.existsById(negative.eventId())).isFalse();
    }

    static boolean deadLetteringBroker() {
        return TestInfrastructure.get().deadLettering();
    }

    private void publish(UsageRecorded event) {
        assertThat(streamBridge.send(DESTINATION, CloudEventMessages.toMessage(event, "urn:tokenfactory:inference-service")))
                .isTrue();
    }

    private double duplicates() {
        return meters.get("tokenfactory.metering.usage.events").tag("result", "duplicate").counter().count();
    }

    private static UsageRecorded usageEvent(long promptTokens, long completionTokens) {
        return new UsageRecorded(UUID.randomUUID(), Instant.parse("2026-11-27T10:00:00Z"), "req-" + UUID.randomUUID(),
                UUID.randomUUID(), UUID.randomUUID(), null, null, "tf-tiny", "djl", "node-a", "cpu0", promptTokens,
                completionTokens, UsageOutcome.COMPLETED, 900, 80, 2.5, EnergySource.ESTIMATED, 0.9, false);
    }
}
