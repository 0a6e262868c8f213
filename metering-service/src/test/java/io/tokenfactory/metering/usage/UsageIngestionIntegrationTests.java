package io.tokenfactory.metering.usage;

import static io.tokenfactory.metering.MeteringEvents.publish;
import static io.tokenfactory.metering.MeteringEvents.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.contracts.CloudEventAttributes;
import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.metering.MeteringEvents;
import io.tokenfactory.support.events.CloudEventBatches;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestDeadLetters;
import io.tokenfactory.testsupport.TestEventBroker;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.cloud.stream.binding.BindingsLifecycleController.State;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeType;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The receiving end of the usage pipe, against the real broker and database: every usage
 * event counts exactly once — in the raw table and in the rollups — whether the broker
 * redelivers it, the producer resends it, or metering-service was stopped while it was
 * published; and what can never count is parked as a dead letter with its reason while
 * the valid events around it are ingested. Runs on RabbitMQ, and again on Kafka (the
 * {@code kafka-event-flow} execution).
 */
@ServiceIntegrationTest
class UsageIngestionIntegrationTests {

    private static final String BINDING = "usageRecorded-in-0";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Instant HOUR = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(3, ChronoUnit.HOURS);

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    BindingsLifecycleController bindings;

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    HttpTestClient admin;

    @BeforeEach
    void admin() {
        admin = HttpTestClient.onPort(port).asAdmin();
    }

    @Test
    void countsAUsageEventOnceEvenWhenItIsDeliveredAgain() {
        UUID department = UUID.randomUUID();
        UsageRecorded event = usage(department, HOUR.plusSeconds(5), 120, 480, 2.5);
        double duplicatesBefore = duplicates();

        publish(streamBridge, event);
        publish(streamBridge, event);
        publish(streamBridge, event);

        await().atMost(Duration.ofSeconds(20)).until(() -> duplicates() - duplicatesBefore >= 2);
        assertThat(rawRows(department)).isEqualTo(1);
        assertThat(hourlyTotals(department)).containsExactly(1L, 120L, 480L);
        assertThat(jdbc.queryForObject("SELECT sum(requests) FROM usage_daily WHERE department_id = ?", Long.class,
                department))
            .isEqualTo(1L);
    }

    @Test
    void countsEverythingOnceAcrossAConsumerRestartWithEveryEventSentTwice() {
        UUID department = UUID.randomUUID();
        double duplicatesBefore = duplicates();
        List<UsageRecorded> events = IntStream.range(0, 300)
            .mapToObj(i -> usage(department, HOUR.plusSeconds(i * 30L), 10 + i, 100 + i, 1.0 + i / 8.0))
            .toList();
        long prompt = events.stream().mapToLong(UsageRecorded::promptTokens).sum();
        long completion = events.stream().mapToLong(UsageRecorded::completionTokens).sum();

        events.subList(0, 150).forEach(event -> publish(streamBridge, event));
        bindings.changeState(BINDING, State.STOPPED);
        try {
            // while metering is stopped: the second half, and every event of the first
            // half again
            events.subList(150, 300).forEach(event -> publish(streamBridge, event));
            events.subList(0, 150).forEach(event -> publish(streamBridge, event));
        }
        finally {
            bindings.changeState(BINDING, State.STARTED);
        }
        events.subList(150, 300).forEach(event -> publish(streamBridge, event));

        // every second copy has been seen (and skipped) before the totals are read
        await().atMost(Duration.ofSeconds(60)).until(() -> duplicates() - duplicatesBefore >= 300);
        assertThat(rawRows(department)).isEqualTo(300);
        assertThat(hourlyTotals(department)).containsExactly(300L, prompt, completion);
        // 300 J for the ones, 300 · 299 / 2 / 8 for the eighths: exact in binary and in
        // NUMERIC
        assertThat(jdbc.queryForObject("SELECT sum(energy_joules) FROM usage_daily WHERE department_id = ?",
                BigDecimal.class, department))
            .isEqualByComparingTo("5906.25");
    }

    @Test
    void parksEachKindOfBadEventWithItsReasonAndIngestsTheRest() {
        UUID department = UUID.randomUUID();
        UsageRecorded valid = usage(department, HOUR, 7, 9, 0.5);
        UsageRecorded negative = usage(department, HOUR, -5, 10, 0.5);
        UsageRecorded beforeRetention = usage(department, Instant.parse("2020-01-01T00:00:00Z"), 1, 1, 0.1);
        UsageRecorded withoutDepartment = new UsageRecorded(UUID.randomUUID(), HOUR, "req-" + UUID.randomUUID(), null,
                null, null, null, "byte-lm-moby", "djl", "node-a", "cpu0", 1, 1, UsageOutcome.COMPLETED, 1, 1, 0.1,
                EnergySource.RAPL, 0.1, false, null, 0.0);
        double parkedBefore = parked();

        String unreadable = sendRaw("{\"eventId\": \"not json", "tokenfactory.usage-recorded.v1");
        String unknownVersion = sendRaw("{\"eventId\": \"" + UUID.randomUUID() + "\"}",
                "tokenfactory.usage-recorded.v9");
        publish(streamBridge, negative);
        publish(streamBridge, withoutDepartment);
        publish(streamBridge, beforeRetention);
        publish(streamBridge, valid);

        Set<String> bad = Set.of(unreadable, unknownVersion, negative.eventId().toString(),
                withoutDepartment.eventId().toString(), beforeRetention.eventId().toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(bad).size() == 5);
        Map<String, JsonNode> parked = deadLetters(bad);
        assertThat(parked.get(unreadable).path("reason").asString())
            .startsWith("payload is not a readable tokenfactory.usage-recorded.v1");
        assertThat(parked.get(unknownVersion).path("reason").asString()).contains("tokenfactory.usage-recorded.v9")
            .contains("unknown type or version");
        assertThat(parked.get(negative.eventId().toString()).path("reason").asString())
            .startsWith("negative token counts");
        assertThat(parked.get(withoutDepartment.eventId().toString()).path("reason").asString())
            .isEqualTo("missing departmentId");
        assertThat(parked.get(beforeRetention.eventId().toString()).path("reason").asString())
            .startsWith("occurredAt 2020-01-01T00:00:00Z is outside the accepted range");
        assertThat(parked.values()).allSatisfy(dead -> {
            assertThat(dead.path("destination").asString()).isEqualTo(MeteringEvents.USAGE_DESTINATION);
            assertThat(dead.path("group").asString()).isEqualTo("metering-service");
            assertThat(dead.path("status").asString()).isEqualTo("WAITING");
            // each would fail on every try: none is tried again
            assertThat(dead.path("tries").asInt()).isEqualTo(1);
        });
        // the unreadable one is kept byte for byte, with the reason in its headers
        JsonNode detail = admin.get("/api/dead-letters/" + parked.get(unreadable).path("id").asString()).getBody();
        assertThat(detail.path("body").asString()).isEqualTo("{\"eventId\": \"not json");
        assertThat(detail.path("headers").path("x-exception-message").asString())
            .startsWith("payload is not a readable");
        // the valid event around them was ingested
        await().atMost(Duration.ofSeconds(10)).until(() -> rawRows(department) == 1);
        assertThat(hourlyTotals(department)).containsExactly(1L, 7L, 9L);
        assertThat(parked() - parkedBefore).isEqualTo(5.0);
    }

    @Test
    void readsEachEventOfABatchMessageOnItsOwnCountingItOnceAndParkingOnlyTheBadOnes() {
        UUID department = UUID.randomUUID();
        UsageRecorded first = usage(department, HOUR.plusSeconds(1), 10, 20, 1.0);
        UsageRecorded second = usage(department, HOUR.plusSeconds(2), 30, 40, 2.0);
        UsageRecorded negative = usage(department, HOUR.plusSeconds(3), -1, 40, 2.0);
        UsageRecorded anotherType = usage(department, HOUR.plusSeconds(4), 50, 60, 2.0);
        double duplicatesBefore = duplicates();
        publish(streamBridge, first);

        // the first again (a resend that now travels in a batch), and three more
        byte[] batch = CloudEventBatches.encode(List.of(first, second, negative, anotherType),
                "urn:tokenfactory:inference-service", JSON);
        String typeOfFourth = "\"type\":\"" + EventTypes.USAGE_RECORDED + "\"";
        int fourth = new String(batch, StandardCharsets.UTF_8).lastIndexOf(typeOfFourth);
        String body = new String(batch, StandardCharsets.UTF_8);
        body = body.substring(0, fourth) + "\"type\":\"tokenfactory.usage-recorded.v9\""
                + body.substring(fourth + typeOfFourth.length());
        sendBatch(body);

        // and a batch with an element that cannot be read beside one that can
        UsageRecorded third = usage(department, HOUR.plusSeconds(5), 70, 80, 2.0);
        String unreadable = UUID.randomUUID().toString();
        String thirdElement = new String(
                CloudEventBatches.encode(List.of(third), "urn:tokenfactory:inference-service", JSON),
                StandardCharsets.UTF_8);
        String mixed = "[{\"specversion\":\"1.0\",\"id\":\"" + unreadable + "\",\"type\":\"" + EventTypes.USAGE_RECORDED
                + "\",\"data\":{\"eventId\":\"not an id\"}}," + thirdElement.substring(1);
        sendBatch(mixed);

        Set<String> bad = Set.of(negative.eventId().toString(), anotherType.eventId().toString(), unreadable);
        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(bad).size() == 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> duplicates() - duplicatesBefore >= 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> rawRows(department) == 3);
        assertThat(hourlyTotals(department)).containsExactly(3L, 110L, 140L);
        Map<String, JsonNode> parked = deadLetters(bad);
        assertThat(parked.get(negative.eventId().toString()).path("reason").asString())
            .startsWith("negative token counts");
        assertThat(parked.get(anotherType.eventId().toString()).path("reason").asString())
            .contains("tokenfactory.usage-recorded.v9");
        assertThat(parked.get(unreadable).path("reason").asString())
            .startsWith("payload is not a readable tokenfactory.usage-recorded.v1 record");
        // parked as the event alone would have come: its record as the body, its
        // attributes as headers, so a replay sends it as a single event
        JsonNode detail = admin
            .get("/api/dead-letters/" + parked.get(negative.eventId().toString()).path("id").asString())
            .getBody();
        assertThat(JSON.readTree(detail.path("body").asString()).path("eventId").asString())
            .isEqualTo(negative.eventId().toString());
        assertThat(detail.path("headers").toString()).contains(negative.eventId().toString())
            .contains("urn:tokenfactory:inference-service");
    }

    /** A CloudEvents batch, sent as inference-service's outbox relay sends one. */
    private void sendBatch(String body) {
        assertThat(streamBridge.send(MeteringEvents.USAGE_DESTINATION,
                MessageBuilder.withPayload(body.getBytes(StandardCharsets.UTF_8))
                    .setHeader(MessageHeaders.CONTENT_TYPE, CloudEventBatches.CONTENT_TYPE)
                    .build(),
                MimeType.valueOf(CloudEventBatches.CONTENT_TYPE)))
            .isTrue();
    }

    private Map<String, JsonNode> deadLetters(Set<String> eventIds) {
        return TestDeadLetters.find(admin, "/api/dead-letters", eventIds);
    }

    private static String sendRaw(String body, String type) {
        String id = UUID.randomUUID().toString();
        TestEventBroker.sendRaw(MeteringEvents.USAGE_DESTINATION, body,
                Map.of(CloudEventAttributes.TYPE, type, CloudEventAttributes.ID, id));
        return id;
    }

    private long rawRows(UUID department) {
        return jdbc.queryForObject("SELECT count(*) FROM usage_record WHERE department_id = ?", Long.class, department);
    }

    private List<Long> hourlyTotals(UUID department) {
        Map<String, Object> row = jdbc.queryForMap(
                "SELECT COALESCE(sum(requests), 0) AS r, COALESCE(sum(prompt_tokens), 0) AS p, "
                        + "COALESCE(sum(completion_tokens), 0) AS c FROM usage_hourly WHERE department_id = ?",
                department);
        return List.of(((Number) row.get("r")).longValue(), ((Number) row.get("p")).longValue(),
                ((Number) row.get("c")).longValue());
    }

    private double duplicates() {
        return meters.get("tokenfactory.metering.usage.events").tag("result", "duplicate").counter().count();
    }

    private double parked() {
        return meters.find("tokenfactory.events.dead.lettered")
            .tag("destination", MeteringEvents.USAGE_DESTINATION)
            .counters()
            .stream()
            .mapToDouble(counter -> counter.count())
            .sum();
    }

}
