package io.tokenfactory.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.inference.InferenceServiceApplication;
import io.tokenfactory.inference.energy.MeasuredEnergy;
import io.tokenfactory.inference.usage.FinishedRequest;
import io.tokenfactory.inference.usage.UsageRecording;
import io.tokenfactory.support.security.Caller;
import io.tokenfactory.metering.MeteringServiceApplication;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.TestEventBroker;
import io.tokenfactory.testsupport.TestEventBroker.RawMessage;
import io.tokenfactory.testsupport.TestKafka;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * The usage pipe end to end with the real services: what inference-service records
 * reaches metering-service exactly once — also when inference-service sends it again,
 * when metering-service was down while it was published, and across a real broker outage;
 * reconciliation then finds no difference. Runs on RabbitMQ, and again on Kafka (the
 * {@code kafka-event-flow} execution), where usage events are also checked to be keyed by
 * department.
 */
class UsagePipeSystemTests {

    private static final Duration PIPE = Duration.ofSeconds(30);

    private static RunningService inference;

    private static RunningService metering;

    @BeforeAll
    static void startServices() {
        inference = RunningService.start(InferenceServiceApplication.class, "inference-service",
                "tokenfactory.inference.outbox.resubmit-interval=PT0.5S",
                "tokenfactory.inference.outbox.resubmit-after=PT1S");
        metering = startMetering();
    }

    @AfterAll
    static void stopServices() {
        if (inference != null) {
            inference.close();
        }
        if (metering != null) {
            metering.close();
        }
    }

    @Test
    void usageRecordedByInferenceIsMeteredExactlyOnce() {
        UsageRecorded usage = record();

        await().atMost(PIPE).until(() -> meteredRows(usage) == 1);
        assertThat(meteringJdbc().queryForObject(
                "SELECT prompt_tokens + completion_tokens FROM usage_record " + "WHERE event_id = ?", Long.class,
                usage.eventId()))
            .isEqualTo(usage.totalTokens());
    }

    @Test
    void usageSentAgainByInferenceIsNotMeteredTwice() {
        UsageRecorded usage = record();
        await().atMost(PIPE).until(() -> meteredRows(usage) == 1);

        double duplicatesBefore = duplicatesSeenByMetering();

        // as if the confirm had been lost: the outbox finds the publication incomplete
        // and sends it again
        int reopened = inferenceJdbc().update("INSERT INTO event_publication (id, listener_id, event_type, "
                + "serialized_event, publication_date, status, completion_attempts) SELECT id, listener_id, event_type, "
                + "serialized_event, publication_date, 'FAILED', 1 FROM event_publication_archive WHERE serialized_event LIKE ?",
                "%" + usage.eventId() + "%");
        inferenceJdbc().update("DELETE FROM event_publication_archive WHERE serialized_event LIKE ?",
                "%" + usage.eventId() + "%");
        assertThat(reopened).isEqualTo(1);

        // metering receives it a second time and recognises it
        await().atMost(PIPE).until(() -> duplicatesSeenByMetering() - duplicatesBefore == 1);
        assertThat(meteredRows(usage)).isEqualTo(1);
    }

    @Test
    void usagePublishedWhileMeteringWasDownIsMeteredOnceItIsBack() {
        metering.close();
        metering = null;
        List<UsageRecorded> publishedWhileDown = IntStream.range(0, 5).mapToObj(i -> record()).toList();
        // inference-service has handed all of them to the broker while nobody consumed
        await().atMost(PIPE)
            .until(() -> publishedWhileDown.stream()
                .allMatch(usage -> inferenceJdbc().queryForObject(
                        "SELECT count(*) FROM event_publication_archive WHERE serialized_event LIKE ? AND completion_date IS NOT NULL",
                        Long.class, "%" + usage.eventId() + "%") == 1));

        metering = startMetering();

        await().atMost(PIPE).until(() -> publishedWhileDown.stream().allMatch(usage -> meteredRows(usage) == 1));
    }

    @Test
    void reconciliationFindsNoDifferenceAfterABrokerOutageAndRedelivery() {
        Instant from = Instant.now().minusSeconds(5);
        List<UsageRecorded> served = new ArrayList<>(IntStream.range(0, 10).mapToObj(i -> record()).toList());
        boolean outage = BrokerOutage.possible();
        if (outage) {
            // a real outage: inference keeps serving and recording; its outbox cannot
            // reach the broker
            BrokerOutage.begin();
            try {
                served.addAll(IntStream.range(0, 10).mapToObj(i -> record()).toList());
            }
            finally {
                BrokerOutage.end();
            }
        }
        metering.close();
        metering = null;
        served.addAll(IntStream.range(0, 10).mapToObj(i -> record()).toList());
        // and every usage event of the first ten is sent again, as if their confirms had
        // been lost
        int reopened = inferenceJdbc().update("INSERT INTO event_publication (id, listener_id, event_type, "
                + "serialized_event, publication_date, status, completion_attempts) SELECT id, listener_id, event_type, "
                + "serialized_event, publication_date, 'FAILED', 1 FROM event_publication_archive WHERE serialized_event "
                + "LIKE ANY (?)", (Object) likeAny(served.subList(0, 10)));
        inferenceJdbc().update("DELETE FROM event_publication_archive WHERE serialized_event LIKE ANY (?)",
                (Object) likeAny(served.subList(0, 10)));
        assertThat(reopened).isEqualTo(10);
        metering = startMetering();

        Instant to = Instant.now().plusSeconds(5);
        await().atMost(Duration.ofSeconds(90)).until(() -> served.stream().allMatch(usage -> meteredRows(usage) == 1));
        // and the ten sent again have reached metering and been recognised, before
        // anything is compared
        await().atMost(Duration.ofSeconds(90)).until(() -> duplicatesSeenByMetering() >= 10);
        ResponseEntity<JsonNode> reconciliation = HttpTestClient.onPort(metering.port())
            .asAdmin()
            .get("/api/metering/reconciliation?from=" + from + "&to=" + to);

        assertThat(reconciliation.getStatusCode()).isEqualTo(HttpStatus.OK);
        JsonNode body = reconciliation.getBody();
        assertThat(body.get("served").get("requests").asLong()).isGreaterThanOrEqualTo(served.size());
        assertThat(body.get("difference").get("requests").asLong()).isZero();
        assertThat(body.get("difference").get("promptTokens").asLong()).isZero();
        assertThat(body.get("difference").get("completionTokens").asLong()).isZero();
        assertThat(body.get("rollupDifference").get("requests").asLong()).isZero();
        assertThat(body.get("rollupDifference").get("completionTokens").asLong()).isZero();
        assertThat(body.at("/difference/energyJoules").decimalValue()).isEqualByComparingTo("0");
        assertThat(body.get("awaitingEnergy").asLong()).isZero();
        // the billed side is not part of this pipe: said so, and so not balanced
        assertThat(body.get("unavailable")).singleElement()
            .satisfies(reason -> assertThat(reason.asString()).startsWith("billing-service: "));
        assertThat(body.get("billed").isNull()).isTrue();
        assertThat(body.get("balanced").asBoolean()).isFalse();
        assertThat(served.stream().mapToLong(UsageRecorded::totalTokens).sum()).isEqualTo(served.size() * 200L);
    }

    @Test
    @EnabledIf("onKafka")
    void usageEventsAreKeyedByDepartmentSoEachDepartmentKeepsItsOrderInOnePartition() {
        List<UUID> departments = IntStream.range(0, 16).mapToObj(i -> UUID.randomUUID()).toList();
        List<UsageRecorded> served = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            departments.forEach(department -> served.add(record(department)));
        }
        await().atMost(PIPE).until(() -> served.stream().allMatch(usage -> meteredRows(usage) == 1));

        List<RawMessage> records = TestEventBroker.kafkaRecords("tokenfactory.usage-recorded");
        Set<Integer> partitionsUsed = new HashSet<>();
        for (UUID department : departments) {
            List<RawMessage> ofDepartment = records.stream()
                .filter(record -> record.text().contains(department.toString()))
                .toList();
            assertThat(ofDepartment).hasSize(2)
                .allSatisfy(record -> assertThat(record.key()).isEqualTo("department/" + department));
            assertThat(ofDepartment).extracting(RawMessage::partition).containsOnly(ofDepartment.get(0).partition());
            // and in the order inference recorded them
            List<UUID> recorded = served.stream()
                .filter(usage -> usage.departmentId().equals(department))
                .map(UsageRecorded::eventId)
                .toList();
            assertThat(ofDepartment)
                .extracting(record -> UUID.fromString(record.headers().get("ce_id") != null
                        ? record.headers().get("ce_id") : record.headers().get("ce-id")))
                .containsExactlyElementsOf(recorded);
            partitionsUsed.add(ofDepartment.get(0).partition());
        }
        // the topic has two partitions in this test: sixteen departments are spread over
        // both (all in one by
        // chance: 1 in 32,768), so the consumers of a group can share the work
        assertThat(partitionsUsed).containsExactlyInAnyOrder(0, 1);
    }

    static boolean onKafka() {
        return TestKafka.enabled();
    }

    private static String[] likeAny(List<UsageRecorded> usages) {
        return usages.stream().map(usage -> "%" + usage.eventId() + "%").toArray(String[]::new);
    }

    private static RunningService startMetering() {
        // no billing-service in this pipe: reconciliation says it did not answer
        return RunningService.start(MeteringServiceApplication.class, "metering-service",
                "tokenfactory.metering.inference-url=http://localhost:" + inference.port(),
                "tokenfactory.metering.billing-url=http://localhost:" + closedPort());
    }

    private static UsageRecorded record() {
        return record(UUID.randomUUID());
    }

    /**
     * A request served by inference-service and its energy settled: its usage event goes
     * out.
     */
    private static UsageRecorded record(UUID department) {
        Instant started = Instant.now().minusMillis(800);
        UsageRecording recording = inference.bean(UsageRecording.class);
        FinishedRequest served = new FinishedRequest("req-" + UUID.randomUUID(),
                new Caller(UUID.randomUUID(), department, null, Set.of("inference")), null, "tf-tiny", "djl", "local",
                null, "cpu", 40, 160, UsageOutcome.COMPLETED, started, started.plusMillis(800), 90, false);
        recording.logServed(served);
        return recording.settle(served.requestId(), new MeasuredEnergy(3.1, 0.8, EnergySource.ESTIMATED, 0))
            .orElseThrow();
    }

    private static int closedPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long meteredRows(UsageRecorded usage) {
        return meteringJdbc().queryForObject("SELECT count(*) FROM usage_record WHERE request_id = ?", Long.class,
                usage.requestId());
    }

    /**
     * Duplicates recognised by every metering-service in this JVM: the shared factory's
     * (started by other test classes of the run) consumes from the same queue and may be
     * handed some of them.
     */
    private static double duplicatesSeenByMetering() {
        return duplicatesSeenBy(metering)
                + WholeFactory.ifRunning().map(factory -> duplicatesSeenBy(factory.metering)).orElse(0.0);
    }

    private static double duplicatesSeenBy(RunningService service) {
        return service.bean(MeterRegistry.class)
            .get("tokenfactory.metering.usage.events")
            .tag("result", "duplicate")
            .counter()
            .count();
    }

    private static JdbcTemplate meteringJdbc() {
        return metering.bean(JdbcTemplate.class);
    }

    private static JdbcTemplate inferenceJdbc() {
        return inference.bean(JdbcTemplate.class);
    }

}
