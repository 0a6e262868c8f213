package io.tokenfactory.support.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.Map;

import io.tokenfactory.support.events.EventProducerSettings.Verification;

import org.junit.jupiter.api.Test;
import org.springframework.amqp.support.AmqpHeaders;

/**
 * Which deliveries a consumer refuses for their publisher, and when it checks at all.
 */
class EventProducersTests {

    private static final Map<String, String> USERS = Map.of("gateway", "tf-gateway", "agent-service", "tf-agents",
            "inference-service", "tf-inference", "metering-service", "tf-metering", "billing-service", "tf-billing");

    private static final String USAGE = "tokenfactory.usage-recorded";

    @Test
    void takesAnEventOnlyFromTheBrokerUserOfTheServiceThatOwnsIt() {
        EventProducers producers = producers(Verification.AUTO, "metering-service", "tf-metering");

        assertThat(producers.refusal(USAGE, Map.of(AmqpHeaders.RECEIVED_USER_ID, "tf-inference"))).isNull();
        assertThat(producers.refusal(USAGE, Map.of(AmqpHeaders.RECEIVED_USER_ID, "tf-billing")))
            .isEqualTo("published by broker user 'tf-billing'; only inference-service (broker user 'tf-inference') "
                    + "publishes tokenfactory.usage-recorded");
        assertThat(producers.refusal(USAGE, Map.of())).startsWith("published without a user-id");
        assertThat(producers.refusal("tokenfactory.budget-status-changed",
                Map.of(AmqpHeaders.RECEIVED_USER_ID, "tf-inference")))
            .contains("only billing-service");
        assertThat(producers.refusal("tokenfactory.somebody-elses", Map.of(AmqpHeaders.RECEIVED_USER_ID, "tf-billing")))
            .isEqualTo("no service owns tokenfactory.somebody-elses, so no publisher is accepted on it");
    }

    @Test
    void checksByItselfOnlyWhereEachServiceHasItsOwnBrokerUser() {
        Map<String, ?> forged = Map.of(AmqpHeaders.RECEIVED_USER_ID, "guest");
        // a login the services share: the broker cannot tell them apart
        assertThat(producers(Verification.AUTO, "metering-service", "guest").refusal(USAGE, forged)).isNull();
        assertThat(producers(Verification.ON, "metering-service", "guest").refusal(USAGE, forged)).isNotNull();
        assertThat(producers(Verification.OFF, "metering-service", "tf-metering").refusal(USAGE, forged)).isNull();
        // Kafka: topic ACLs decide who writes, there is no user-id to check
        assertThat(EventProducers
            .of(new EventProducerSettings(Verification.ON, USERS), EventBackbone.KAFKA, "metering-service", "x")
            .refusal(USAGE, forged)).isNull();
    }

    @Test
    void anAdministratorsReplayIsNotCheckedAgainOnlyWhileItRuns() {
        EventProducers producers = producers(Verification.ON, "metering-service", "tf-metering");

        assertThat(EventProducers.replaying(() -> producers.refusal(USAGE, Map.of()))).isNull();
        assertThat(producers.refusal(USAGE, Map.of())).isNotNull();
    }

    @Test
    void refusesToStartCheckingWithoutTheOwnersUsers() {
        assertThatIllegalStateException().isThrownBy(() -> EventProducers.of(
                new EventProducerSettings(Verification.ON, Map.of("metering-service", "tf-metering")),
                EventBackbone.RABBIT, "metering-service", "tf-metering"))
            .withMessageContaining("has no user for");
    }

    private static EventProducers producers(Verification verify, String service, String ownUser) {
        return EventProducers.of(new EventProducerSettings(verify, USERS), EventBackbone.RABBIT, service, ownUser);
    }

}
