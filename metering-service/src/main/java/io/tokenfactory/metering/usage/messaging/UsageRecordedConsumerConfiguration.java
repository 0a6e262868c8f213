package io.tokenfactory.metering.usage.messaging;

import java.util.function.Consumer;

import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.metering.usage.UsageIngestion;
import io.tokenfactory.support.events.RejectedEventException;

import org.springframework.cloud.function.cloudevent.CloudEventMessageUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/** Binds {@code tokenfactory.usage-recorded} (group {@code metering-service}) to {@link UsageIngestion}. */
@Configuration(proxyBeanMethods = false)
class UsageRecordedConsumerConfiguration {

    @Bean
    Consumer<Message<UsageRecorded>> usageRecorded(UsageIngestion ingestion) {
        return message -> {
            String type = CloudEventMessageUtils.getType(message);
            if (type != null && !EventTypes.USAGE_RECORDED.equals(type)) {
                throw new RejectedEventException("unexpected event type " + type + " on the usage-recorded exchange");
            }
            // a body that is not valid JSON for the record arrives unconverted, as bytes
            Object payload = message.getPayload();
            if (!(payload instanceof UsageRecorded usage)) {
                throw new RejectedEventException("payload is not a readable usage-recorded record");
            }
            ingestion.ingest(usage);
        };
    }
}
