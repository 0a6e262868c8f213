package io.tokenfactory.support.events;

import java.util.Map;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Whether consumers check who published an event, and the broker user of each service
 * (shared by every service: a consumer must know the owner's user to check it).
 *
 * @param verify {@code auto} (the default): checked on RabbitMQ when this service
 * connects as its own broker user, as a deployment with a user per service does; not
 * checked when it connects with a login the services share (the broker could not tell
 * them apart), nor on Kafka (topic ACLs decide who may write). {@code on}: always on
 * RabbitMQ. {@code off}: never.
 * @param brokerUsers each service's RabbitMQ user, by service name
 */
@Validated
@ConfigurationProperties("tokenfactory.event-producers")
public record EventProducerSettings(@NotNull @DefaultValue("auto") Verification verify,
        @NotNull @DefaultValue Map<String, String> brokerUsers) {

    /** When consumers check the publisher of an event. */
    public enum Verification {

        AUTO, ON, OFF

    }

}
