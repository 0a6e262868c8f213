package io.tokenfactory.support.events;

import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.support.AmqpHeaders;

/**
 * Who may publish each event type, and the check every consumer makes before it handles
 * an event: each destination is owned by the one service that publishes it, and on
 * RabbitMQ an event must carry that service's broker user as its {@code user-id}
 * property. The broker itself refuses a {@code user-id} other than the publishing
 * connection's user, and each service's user may write only to its own exchanges, so an
 * event that passes was published by its owner. One that does not is parked as a dead
 * letter with the reason {@link #FOREIGN_PRODUCER}, which a replay hands on only when an
 * administrator vouches for its publisher. On Kafka the topics' ACLs decide who may write
 * (see docs/security.md), so there is nothing to check per message.
 */
public final class EventProducers {

    private static final Logger log = LoggerFactory.getLogger(EventProducers.class);

    /** The reason a dead letter carries when its publisher was not its owner. */
    public static final String FOREIGN_PRODUCER = "foreign_producer";

    /** The one service that publishes each destination. */
    public static final Map<String, String> OWNER_BY_DESTINATION = Map.of("tokenfactory.usage-recorded",
            "inference-service", "tokenfactory.power-sampled", "inference-service", "tokenfactory.usage-metered",
            "metering-service", "tokenfactory.idle-energy-allocated", "metering-service",
            "tokenfactory.budget-status-changed", "billing-service", "tokenfactory.agent-state-changed",
            "agent-service");

    /**
     * Set while an administrator's replay hands a dead letter to its consumer in process.
     */
    private static final ThreadLocal<Boolean> REPLAYING = ThreadLocal.withInitial(() -> false);

    private final boolean verifying;

    private final Map<String, String> brokerUsers;

    private EventProducers(boolean verifying, Map<String, String> brokerUsers) {
        this.verifying = verifying;
        this.brokerUsers = brokerUsers;
    }

    /**
     * @param service this service's name
     * @param ownBrokerUser the RabbitMQ user this service connects as
     */
    public static EventProducers of(EventProducerSettings settings, EventBackbone backbone, String service,
            String ownBrokerUser) {
        boolean verifying = switch (settings.verify()) {
            case OFF -> false;
            case ON -> backbone == EventBackbone.RABBIT;
            case AUTO -> backbone == EventBackbone.RABBIT && ownBrokerUser.equals(settings.brokerUsers().get(service));
        };
        if (verifying) {
            OWNER_BY_DESTINATION.values().forEach(owner -> {
                if (!settings.brokerUsers().containsKey(owner)) {
                    throw new IllegalStateException("tokenfactory.event-producers.broker-users has no user for " + owner
                            + ", which owns events this service may consume");
                }
            });
            log.info("Consumers accept an event only from the broker user of the service that owns it");
        }
        else if (backbone == EventBackbone.RABBIT && settings.verify() != EventProducerSettings.Verification.OFF) {
            log.warn(
                    "Events are not checked for their publisher: {} connects to RabbitMQ as '{}', not as its own "
                            + "broker user '{}' (give each service its own user: docs/security.md)",
                    service, ownBrokerUser, settings.brokerUsers().get(service));
        }
        return new EventProducers(verifying, Map.copyOf(settings.brokerUsers()));
    }

    /** No check: every event is taken as its owner's (tests, and Kafka). */
    public static EventProducers unchecked() {
        return new EventProducers(false, Map.of());
    }

    /**
     * Why an event on this destination may not be handled, or null when its publisher is
     * the destination's owner (or nothing is checked).
     * @param headers the delivery's headers, as the binder mapped them
     */
    public @Nullable String refusal(String destination, Map<String, ?> headers) {
        if (!verifying || REPLAYING.get()) {
            return null;
        }
        String owner = OWNER_BY_DESTINATION.get(destination);
        if (owner == null) {
            return "no service owns " + destination + ", so no publisher is accepted on it";
        }
        String expected = brokerUsers.get(owner);
        Object publisher = headers.get(AmqpHeaders.RECEIVED_USER_ID);
        if (expected.equals(publisher)) {
            return null;
        }
        return "published " + (publisher == null ? "without a user-id" : "by broker user '" + publisher + "'")
                + "; only " + owner + " (broker user '" + expected + "') publishes " + destination;
    }

    /**
     * Runs an administrator's replay of a dead letter: its publisher was checked when it
     * was first delivered (one that failed the check is never replayed).
     */
    public static <T> T replaying(Supplier<T> replay) {
        REPLAYING.set(true);
        try {
            return replay.get();
        }
        finally {
            REPLAYING.remove();
        }
    }

}
