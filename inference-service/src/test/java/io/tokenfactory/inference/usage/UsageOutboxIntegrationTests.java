package io.tokenfactory.inference.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doCallRealMethod;
import static org.mockito.Mockito.doReturn;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mockingDetails;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.inference.energy.MeasuredEnergy;
import io.tokenfactory.support.events.CloudEventBatches;
import io.tokenfactory.support.security.Caller;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestInfrastructure;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentMatchers;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.amqp.core.Message;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.MimeType;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@ServiceIntegrationTest
@TestPropertySource(properties = { "tokenfactory.inference.outbox.resubmit-interval=PT0.5S",
        "tokenfactory.inference.outbox.resubmit-after=PT1S" })
class UsageOutboxIntegrationTests {

    private static final String METERING_QUEUE = TestInfrastructure
        .prefixed("tokenfactory.usage-recorded.metering-service");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    UsageRecording usageRecording;

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TransactionTemplate transactions;

    @Autowired
    MeterRegistry meters;

    @MockitoSpyBean
    StreamBridge streamBridge;

    @Test
    void logsAServedRequestAtOnceAndPublishesItsUsageWithCloudEventsAttributesOnceItsEnergyIsSettled() {
        FinishedRequest served = served();

        UUID eventId = usageRecording.logServed(served);

        assertThat(jdbc.queryForObject("SELECT energy_settled_at IS NULL FROM inference_request WHERE request_id = ?",
                Boolean.class, served.requestId()))
            .isTrue();
        assertThat(publications(eventId)).isZero();
        UsageRecorded usage = usageRecording
            .settle(served.requestId(), new MeasuredEnergy(4.2, 1.5, EnergySource.DCGM, 0.25))
            .orElseThrow();
        assertThat(usage.eventId()).isEqualTo(eventId);
        Delivered delivered = awaitEvent(usage.eventId());
        assertThat(delivered.attributes()).containsEntry("id", usage.eventId().toString())
            .containsEntry("type", EventTypes.USAGE_RECORDED)
            .containsEntry("source", "urn:tokenfactory:inference-service")
            .containsEntry("subject", "department/" + served.caller().departmentId())
            .containsEntry("specversion", "1.0");
        JsonNode body = delivered.data();
        assertThat(body.get("promptTokens").asLong()).isEqualTo(12);
        assertThat(body.get("completionTokens").asLong()).isEqualTo(30);
        assertThat(body.get("latencyMs").asLong()).isEqualTo(1500);
        assertThat(body.get("node").asString()).isEqualTo("gpu-node-7");
        assertThat(body.get("nodeClass").asString()).isEqualTo("h100-sxm");
        assertThat(body.get("energySource").asString()).isEqualTo("DCGM");
        assertThat(body.get("energyJoules").asDouble()).isEqualTo(4.2);
        assertThat(body.get("energyGapSeconds").asDouble()).isEqualTo(0.25);
        assertThat(body.get("endUser").asString()).isEqualTo("end-user-42");
        await().atMost(Duration.ofSeconds(10)).until(() -> completedPublications(usage.eventId()) == 1);
    }

    @Test
    void theKeysCostTagsAndTheSignedInPersonTravelWithTheUsage() {
        Instant started = Instant.now().minusSeconds(30);
        // a person in the console's chat sends no OpenAI user: the person is the end user
        Caller person = new Caller(UUID.randomUUID(), UUID.randomUUID(), null, Set.of("inference"), null,
                "ada@example.com", Map.of("team", "search", "project", "rag"));
        FinishedRequest served = new FinishedRequest("req-" + UUID.randomUUID(), person, null, "tf-tiny", "remote",
                "gpu-node-7", "h100-sxm", "gpu0", 12, 30, UsageOutcome.COMPLETED, started, started.plusMillis(900), 80,
                false, null);
        usageRecording.logServed(served);
        UsageRecorded usage = usageRecording
            .settle(served.requestId(), new MeasuredEnergy(1.5, 0.5, EnergySource.DCGM, 0))
            .orElseThrow();

        assertThat(usage.tags()).isEqualTo(Map.of("team", "search", "project", "rag"));
        assertThat(usage.endUser()).isEqualTo("ada@example.com");
        JsonNode body = awaitEvent(usage.eventId()).data();
        assertThat(body.get("tags").get("team").asString()).isEqualTo("search");
        assertThat(body.get("endUser").asString()).isEqualTo("ada@example.com");

        // a key without tags: none, and the OpenAI user the client named wins
        UsageRecorded plain = usageRecording.settle(logged(served()), new MeasuredEnergy(1, 1, EnergySource.DCGM, 0))
            .orElseThrow();
        assertThat(plain.tags()).isEmpty();
        assertThat(plain.endUser()).isEqualTo("end-user-42");
    }

    private String logged(FinishedRequest served) {
        usageRecording.logServed(served);
        return served.requestId();
    }

    @Test
    void aRequestIsSettledOnceWhoeverSettlesIt() {
        FinishedRequest served = served();
        usageRecording.logServed(served);

        assertThat(usageRecording.settle(served.requestId(), new MeasuredEnergy(1, 1, EnergySource.DCGM, 0)))
            .isPresent();
        assertThat(usageRecording.settle(served.requestId(), new MeasuredEnergy(2, 2, EnergySource.DCGM, 0))).isEmpty();
        assertThat(jdbc.queryForObject("SELECT energy_joules FROM inference_request WHERE request_id = ?", Double.class,
                served.requestId()))
            .isEqualTo(1.0);
    }

    @Test
    void aServedRequestWhoseEnergyNeverSettlesIsPublishedWithoutEnergyAndItsWholeTimeAsAGap() {
        FinishedRequest served = served();
        UUID eventId = usageRecording.logServed(served);

        // its replica died: the sweep finds it once it is old enough
        usageRecording.settleAbandoned(Instant.now(), 10_000);

        JsonNode body = awaitEvent(eventId).data();
        assertThat(body.get("energySource").asString()).isEqualTo("NONE");
        assertThat(body.get("energyJoules").asDouble()).isZero();
        assertThat(body.get("energyGapSeconds").asDouble()).isEqualTo(1.5);
        assertThat(usageRecording.settle(served.requestId(), new MeasuredEnergy(1, 1, EnergySource.DCGM, 0))).isEmpty();
    }

    @Test
    void writesNeitherTheRequestLogNorTheEventWhenTheTransactionRollsBack() {
        FinishedRequest served = served();

        assertThatThrownBy(() -> transactions.executeWithoutResult(status -> {
            usageRecording.logServed(served);
            usageRecording.settle(served.requestId(), new MeasuredEnergy(1, 1, EnergySource.DCGM, 0));
            throw new IllegalStateException("the serving transaction failed after recording");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(jdbc.queryForObject("SELECT count(*) FROM inference_request WHERE request_id = ?", Long.class,
                served.requestId()))
            .isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM event_publication WHERE serialized_event LIKE ?",
                Long.class, "%" + served.requestId() + "%"))
            .isZero();
    }

    @Test
    void sendsAnEventAgainWhenTheBrokerDidNotTakeItTheFirstTime() {
        FinishedRequest served = served();
        // refuses this request's event once, and only it, alone or in a batch: another
        // test's event sent meanwhile must not take the refusal
        doReturn(false).doCallRealMethod()
            .when(streamBridge)
            .send(eq("usage-recorded"), argThat(sent -> alone(sent, served.requestId())));
        doReturn(false).doCallRealMethod()
            .when(streamBridge)
            .send(eq("usage-recorded"), ArgumentMatchers.<Object>argThat(sent -> inBatch(sent, served.requestId())),
                    any(MimeType.class));
        usageRecording.logServed(served);

        UsageRecorded usage = usageRecording
            .settle(served.requestId(), new MeasuredEnergy(4.2, 1.5, EnergySource.ESTIMATED, 0))
            .orElseThrow();

        assertThat(awaitEvent(usage.eventId()).attributes()).containsEntry("id", usage.eventId().toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> completedPublications(usage.eventId()) == 1);
        // the first send was refused, the outbox's resubmission went through: this
        // replica's, or another's that shares the database (as the other test classes'
        // live contexts do), so this replica sent it once or twice.
        // The relay hands a single event to send(binding, message), a batch to
        // send(binding, message, its content type) (which the former calls in turn)
        assertThat(mockingDetails(streamBridge).getInvocations()
            .stream()
            .filter(call -> call.getMethod().getName().equals("send")
                    && (call.getArguments().length == 2 && alone(call.getArgument(1), usage.eventId().toString())
                            || call.getArguments().length == 3 && call.getArgument(2) instanceof MimeType
                                    && inBatch(call.getArgument(1), usage.eventId().toString())))
            .count()).isBetween(1L, 2L);
    }

    @Test
    void usageEventsReadyTogetherLeaveTogetherInOneMessageAndEachIsCompletedOnlyOnceConfirmed() {
        // the first send waits "at the broker" until the other relay threads have queued
        // their events behind it
        AtomicBoolean held = new AtomicBoolean();
        doAnswer(call -> {
            if (held.compareAndSet(false, true)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> relayThreadsWaiting() >= 7);
            }
            return call.callRealMethod();
        }).when(streamBridge).send(eq("usage-recorded"), any());
        List<FinishedRequest> served = IntStream.range(0, 20).mapToObj(i -> served()).toList();

        List<UUID> eventIds = new ArrayList<>();
        transactions.executeWithoutResult(status -> served.forEach(request -> {
            usageRecording.logServed(request);
            eventIds.add(usageRecording.settle(request.requestId(), new MeasuredEnergy(1, 1, EnergySource.DCGM, 0))
                .orElseThrow()
                .eventId());
        }));

        Map<UUID, Integer> deliveries = new HashMap<>();
        List<Integer> eventsPerMessage = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Message message = rabbit.receive(METERING_QUEUE, 500);
            if (message != null) {
                List<Delivered> events = events(message);
                List<Delivered> ours = events.stream()
                    .filter(event -> eventIds.contains(UUID.fromString(event.attributes().get("id"))))
                    .toList();
                if (!ours.isEmpty()) {
                    eventsPerMessage.add(events.size());
                    ours.forEach(
                            event -> deliveries.merge(UUID.fromString(event.attributes().get("id")), 1, Integer::sum));
                }
            }
            return deliveries.keySet().containsAll(eventIds);
        });
        assertThat(deliveries.values()).allMatch(count -> count == 1);
        assertThat(eventsPerMessage).hasSizeLessThan(eventIds.size()).anyMatch(size -> size >= 7);
        assertThat(meters.get("tokenfactory.outbox.events.per.message")
            .tag("type", EventTypes.USAGE_RECORDED)
            .summary()
            .max()).isGreaterThanOrEqualTo(7);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> eventIds.stream().allMatch(eventId -> completedPublications(eventId) == 1));
    }

    /**
     * Whether a message handed to the binder is this event alone (by request or event
     * id).
     */
    private static boolean alone(Object sent, String id) {
        return sent instanceof org.springframework.messaging.Message<?> message
                && message.getPayload() instanceof UsageRecorded recorded
                && (id.equals(recorded.requestId()) || id.equals(recorded.eventId().toString()));
    }

    /** Whether a message handed to the binder is a batch that carries this id. */
    private static boolean inBatch(Object sent, String id) {
        return sent instanceof org.springframework.messaging.Message<?> message
                && message.getPayload() instanceof byte[] bytes
                && new String(bytes, StandardCharsets.UTF_8).contains(id);
    }

    /** Relay threads queued behind a send in progress. */
    private static long relayThreadsWaiting() {
        return Thread.getAllStackTraces()
            .values()
            .stream()
            .filter(stack -> Arrays.stream(stack)
                .anyMatch(frame -> frame.getClassName().endsWith("OutboxBatcher")
                        && frame.getMethodName().equals("publish"))
                    && Arrays.stream(stack).anyMatch(frame -> frame.getClassName().endsWith("ReentrantLock$Sync")))
            .count();
    }

    private long publications(UUID eventId) {
        return jdbc.queryForObject("SELECT count(*) FROM event_publication WHERE serialized_event LIKE ?", Long.class,
                "%" + eventId + "%");
    }

    private long completedPublications(UUID eventId) {
        return jdbc.queryForObject("SELECT count(*) FROM event_publication_archive WHERE serialized_event LIKE ? "
                + "AND completion_date IS NOT NULL", Long.class, "%" + eventId + "%");
    }

    /**
     * Takes messages off metering's queue until the one carrying this event arrives;
     * other tests' messages are skipped.
     */
    private Delivered awaitEvent(UUID eventId) {
        Delivered[] found = new Delivered[1];
        // the queue holds every earlier test class's usage too: read it without pausing
        // between messages
        await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> {
            Message message = rabbit.receive(METERING_QUEUE, 500);
            if (message != null) {
                events(message).stream()
                    .filter(event -> eventId.toString().equals(event.attributes().get("id")))
                    .findFirst()
                    .ifPresent(event -> found[0] = event);
            }
            return found[0] != null;
        });
        return found[0];
    }

    /**
     * The events a message carries: one, whose CloudEvents attributes travel as
     * {@code cloudEvents:*} headers on AMQP (the CloudEvents AMQP binding), or a
     * CloudEvents batch, each element with its attributes and its record as data.
     */
    private static List<Delivered> events(Message message) {
        JsonNode body = JSON.readTree(new String(message.getBody(), StandardCharsets.UTF_8));
        if (!CloudEventBatches.isBatch(message.getMessageProperties().getContentType())) {
            Map<String, String> attributes = new HashMap<>();
            message.getMessageProperties().getHeaders().forEach((name, value) -> {
                if (name.startsWith("cloudEvents:")) {
                    attributes.put(name.substring("cloudEvents:".length()), String.valueOf(value));
                }
            });
            return List.of(new Delivered(attributes, body));
        }
        List<Delivered> events = new ArrayList<>();
        for (JsonNode element : body) {
            Map<String, String> attributes = new HashMap<>();
            element.properties().forEach(attribute -> {
                if (attribute.getValue().isValueNode()) {
                    attributes.put(attribute.getKey(), attribute.getValue().asString());
                }
            });
            events.add(new Delivered(attributes, element.get("data")));
        }
        return events;
    }

    /** One event as metering-service receives it. */
    private record Delivered(Map<String, String> attributes, JsonNode data) {
    }

    private static FinishedRequest served() {
        Instant started = Instant.now().minusSeconds(60);
        return new FinishedRequest("req-" + UUID.randomUUID(),
                new Caller(UUID.randomUUID(), UUID.randomUUID(), null, Set.of("inference")), null, "tf-tiny", "remote",
                "gpu-node-7", "h100-sxm", "gpu0", 12, 30, UsageOutcome.COMPLETED, started, started.plusMillis(1500),
                120, false, "end-user-42");
    }

}
