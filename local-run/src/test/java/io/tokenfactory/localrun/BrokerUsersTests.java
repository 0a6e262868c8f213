package io.tokenfactory.localrun;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The permissions each service's broker user gets, read as RabbitMQ reads them: a
 * resource name matched against the configure, write and read patterns.
 */
class BrokerUsersTests {

    @Test
    void aProducerWritesOnlyToItsOwnEventsExchanges() {
        BrokerUsers.Permissions metering = BrokerUsers.Permissions.of("metering-service");

        assertThat(matches(metering.write(), "tokenfactory.usage-metered")).isTrue();
        assertThat(matches(metering.write(), "tokenfactory.idle-energy-allocated")).isTrue();
        assertThat(matches(metering.write(), "tokenfactory.usage-recorded")).isFalse();
        assertThat(matches(metering.write(), "tokenfactory.budget-status-changed")).isFalse();
        assertThat(matches(metering.write(), "amq.default")).isFalse();
        // the broker's last-resort exchange, which routes only to dead-letter queues no
        // service reads
        assertThat(matches(metering.write(), "DLX")).isTrue();
        // the gateway publishes nothing at all
        BrokerUsers.Permissions gateway = BrokerUsers.Permissions.of("gateway");
        assertThat(matches(gateway.write(), "tokenfactory.budget-status-changed")).isFalse();
        assertThat(matches(gateway.write(), "tokenfactory.agent-state-changed")).isFalse();
        assertThat(matches(BrokerUsers.Permissions.of("inference-service").write(), "tokenfactory.usage-recorded"))
            .isTrue();
    }

    @Test
    void aConsumerReadsOnlyItsOwnQueuesOfTheEventsItTakes() {
        BrokerUsers.Permissions billing = BrokerUsers.Permissions.of("billing-service");

        assertThat(matches(billing.read(), "tokenfactory.usage-metered.billing-service")).isTrue();
        assertThat(matches(billing.read(), "tokenfactory.usage-metered.billing-service.dlq")).isTrue();
        assertThat(matches(billing.read(), "tokenfactory.usage-metered")).isTrue(); // to
                                                                                    // bind
                                                                                    // its
                                                                                    // queue
        assertThat(matches(billing.read(), "tokenfactory.agent-state-changed.gateway")).isFalse();
        assertThat(matches(billing.read(), "tokenfactory.usage-recorded.metering-service")).isFalse();
        // it binds its queue (write on the queue) but never writes to the exchange
        assertThat(matches(billing.write(), "tokenfactory.usage-metered.billing-service")).isTrue();
        assertThat(matches(billing.write(), "tokenfactory.usage-metered")).isFalse();
        // it may declare its own queues, not another group's
        assertThat(matches(billing.configure(), "tokenfactory.usage-metered.billing-service")).isTrue();
        assertThat(matches(billing.configure(), "tokenfactory.usage-metered.gateway")).isFalse();
        // a producer declares the queues it keeps its events in for their consumers (it
        // reads back only what it
        // published), and no queue of another service's events
        BrokerUsers.Permissions inference = BrokerUsers.Permissions.of("inference-service");
        assertThat(matches(inference.configure(), "tokenfactory.usage-recorded.metering-service")).isTrue();
        assertThat(matches(inference.read(), "tokenfactory.usage-metered.billing-service")).isFalse();
        assertThat(matches(inference.configure(), "tokenfactory.usage-metered.billing-service")).isFalse();
    }

    @Test
    void storesPasswordsAsRabbitMqsSaltedSha256() throws Exception {
        byte[] hash = Base64.getDecoder().decode(BrokerUsers.passwordHash("s3cret"));
        byte[] salt = Arrays.copyOf(hash, 4);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update(salt);

        assertThat(hash).hasSize(36);
        assertThat(Arrays.copyOfRange(hash, 4, 36)).isEqualTo(sha256.digest("s3cret".getBytes(StandardCharsets.UTF_8)));
        assertThat(BrokerUsers.passwordHash("s3cret")).isNotEqualTo(BrokerUsers.passwordHash("s3cret"));
    }

    private static boolean matches(String pattern, String resource) {
        return Pattern.compile(pattern).matcher(resource).find();
    }

}
