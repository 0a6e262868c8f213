package io.tokenfactory.inference.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doCallRealMethod;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.ArgumentMatchers.argThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.inference.energy.MeasuredEnergy;
import io.tokenfactory.support.security.Caller;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestInfrastructure;

import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.amqp.core.Message;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import org.springframework.transaction.support.TransactionTemplate;

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
        Message message = awaitMessageFor(usage.eventId());
        assertThat(message.getMessageProperties().getHeaders())
            .containsEntry("cloudEvents:id", usage.eventId().toString())
            .containsEntry("cloudEvents:type", EventTypes.USAGE_RECORDED)
            .containsEntry("cloudEvents:source", "urn:tokenfactory:inference-service")
            .containsEntry("cloudEvents:subject", "department/" + served.caller().departmentId())
            .containsEntry("cloudEvents:specversion", "1.0");
        JsonNode body = JSON.readTree(new String(message.getBody(), StandardCharsets.UTF_8));
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

        JsonNode body = JSON.readTree(new String(awaitMessageFor(eventId).getBody(), StandardCharsets.UTF_8));
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
        // refuses this request's event once, and only it: another test's event sent
        // meanwhile must not take the refusal
        doReturn(false).doCallRealMethod()
            .when(streamBridge)
            .send(eq("usage-recorded"),
                    argThat(sent -> sent instanceof org.springframework.messaging.Message<?> sentMessage
                            && sentMessage.getPayload() instanceof UsageRecorded recorded
                            && served.requestId().equals(recorded.requestId())));
        usageRecording.logServed(served);

        UsageRecorded usage = usageRecording
            .settle(served.requestId(), new MeasuredEnergy(4.2, 1.5, EnergySource.ESTIMATED, 0))
            .orElseThrow();

        Message message = awaitMessageFor(usage.eventId());
        assertThat(message.getMessageProperties().getHeaders()).containsEntry("cloudEvents:id",
                usage.eventId().toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> completedPublications(usage.eventId()) == 1);
        // the first send was refused, the second (the outbox's resubmission) went through
        verify(streamBridge, times(2)).send(eq("usage-recorded"),
                argThat(sent -> sent instanceof org.springframework.messaging.Message<?> sentMessage
                        && usage.eventId().toString().equals(sentMessage.getHeaders().get("ce-id"))));
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
     * Takes messages off metering's queue until the one for this event arrives; other
     * tests' messages are skipped. On AMQP the CloudEvents attributes travel as
     * {@code cloudEvents:*} headers (the CloudEvents AMQP binding).
     */
    private Message awaitMessageFor(UUID eventId) {
        Message[] found = new Message[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Message message = rabbit.receive(METERING_QUEUE, 500);
            if (message != null
                    && eventId.toString().equals(message.getMessageProperties().getHeaders().get("cloudEvents:id"))) {
                found[0] = message;
            }
            return found[0] != null;
        });
        return found[0];
    }

    private static FinishedRequest served() {
        Instant started = Instant.now().minusSeconds(60);
        return new FinishedRequest("req-" + UUID.randomUUID(),
                new Caller(UUID.randomUUID(), UUID.randomUUID(), null, Set.of("inference")), null, "tf-tiny", "remote",
                "gpu-node-7", "h100-sxm", "gpu0", 12, 30, UsageOutcome.COMPLETED, started, started.plusMillis(1500),
                120, false, "end-user-42");
    }

}
