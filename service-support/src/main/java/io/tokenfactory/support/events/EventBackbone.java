package io.tokenfactory.support.events;

import org.springframework.core.env.Environment;

/**
 * Which broker carries the events: every binding uses Spring Cloud Stream's default
 * binder, chosen by {@code TF_EVENT_BROKER} ({@code spring.cloud.stream.default-binder}).
 * The few things the binders do differently — how a send is confirmed — ask this rather
 * than assume one broker. (Dead letters are parked in the service's own database on
 * either.)
 */
public enum EventBackbone {

    /**
     * RabbitMQ: a send is confirmed by a publisher confirm.
     */
    RABBIT,
    /**
     * Kafka: a send is synchronous (acks=all) and throws when unacknowledged.
     */
    KAFKA;

    public static final String DEFAULT_BINDER = "spring.cloud.stream.default-binder";

    /**
     * The backbone of the default binder: its name, or the type of the binder
     * configuration it names.
     */
    public static EventBackbone of(Environment environment) {
        String binder = environment.getProperty(DEFAULT_BINDER, "rabbit");
        String type = environment.getProperty("spring.cloud.stream.binders." + binder + ".type", binder);
        return switch (type) {
            case "rabbit" -> RABBIT;
            case "kafka" -> KAFKA;
            default -> throw new IllegalStateException("TF_EVENT_BROKER must be rabbit or kafka, not '" + type + "'");
        };
    }

}
