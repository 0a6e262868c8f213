package io.tokenfactory.metering.messaging;

import static io.tokenfactory.metering.MeteringEvents.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.metering.MeteringEvents;
import io.tokenfactory.support.events.CloudEventMessages;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestDeadLetters;
import io.tokenfactory.testsupport.TestKafka;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.support.AmqpHeaders;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.test.context.TestPropertySource;

import tools.jackson.databind.JsonNode;

/**
 * A usage event that inference-service did not publish never reaches the meter: on
 * RabbitMQ a consumer takes an event only when its {@code user-id} property — which the
 * broker checks against the publishing connection — is the owner's broker user. Here the
 * test's broker login (guest) stands for inference-service's user; an event without it is
 * forged, parked untried as a dead letter that no replay hands on unless an administrator
 * vouches for it, in the audit trail.
 */
@ServiceIntegrationTest
@TestPropertySource(properties = { "tokenfactory.event-producers.verify=on",
        "tokenfactory.event-producers.broker-users.inference-service=guest" })
class ForgedEventIntegrationTests {

    private static final Instant HOUR = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    JdbcTemplate jdbc;

    @LocalServerPort
    int port;

    HttpTestClient admin;

    @BeforeEach
    void admin() {
        Assumptions.assumeFalse(TestKafka.enabled(), "on Kafka the topics' ACLs decide who publishes");
        admin = HttpTestClient.onPort(port).asAdmin();
    }

    @Test
    void meetersAnEventFromItsOwnerAndParksOneFromAnybodyElse() {
        UUID department = UUID.randomUUID();
        UsageRecorded genuine = usage(department, HOUR.plusSeconds(1), 10, 20, 1.0);
        UsageRecorded forged = usage(department, HOUR.plusSeconds(2), 1_000, 1_000_000, 0.0);

        send(genuine, "guest");
        send(forged, null);

        await().atMost(Duration.ofSeconds(20))
            .until(() -> TestDeadLetters.find(admin, "/api/dead-letters", forged.eventId().toString()) != null
                    && rawRows(genuine.eventId()) == 1);
        assertThat(rawRows(forged.eventId())).isZero();
        JsonNode parked = TestDeadLetters.find(admin, "/api/dead-letters", forged.eventId().toString());
        assertThat(parked.path("reasonClass").asString()).isEqualTo("foreign_producer");
        assertThat(parked.path("reason").asString()).contains("without a user-id",
                "only inference-service (broker user 'guest')");
        assertThat(parked.path("tries").asInt()).isEqualTo(1);

        // a replay does not launder it ...
        String replay = "/api/dead-letters/" + parked.path("id").asString() + "/replay";
        ResponseEntity<JsonNode> refused = admin.post(replay, Map.of());
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(refused.getBody().path("code").asString()).isEqualTo("dead_letter_forged");
        assertThat(rawRows(forged.eventId())).isZero();

        // ... unless an administrator vouches for its publisher, on the record
        ResponseEntity<JsonNode> vouched = admin.post(replay + "?trustPublisher=true", Map.of());
        assertThat(vouched.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(rawRows(forged.eventId())).isEqualTo(1);
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM audit_record WHERE action = 'dead-letter.replayed' AND subject_id = ?
                  AND after_state ->> 'trustPublisher' = 'true' AND actor_kind = 'API_KEY'
                """, Long.class, parked.path("id").asString())).isEqualTo(1);
    }

    private void send(UsageRecorded event, String brokerUser) {
        Message<?> message = CloudEventMessages.toMessage(event, "urn:tokenfactory:inference-service");
        MessageBuilder<?> builder = MessageBuilder.fromMessage(message);
        if (brokerUser != null) {
            builder.setHeader(AmqpHeaders.USER_ID, brokerUser);
        }
        assertThat(streamBridge.send(MeteringEvents.USAGE_DESTINATION, builder.build())).isTrue();
    }

    private long rawRows(UUID eventId) {
        return jdbc.queryForObject("SELECT count(*) FROM usage_record WHERE event_id = ?", Long.class, eventId);
    }

}
