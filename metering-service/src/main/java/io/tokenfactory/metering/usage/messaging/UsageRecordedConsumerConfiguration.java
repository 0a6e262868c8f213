package io.tokenfactory.metering.usage.messaging;

import java.util.function.Consumer;

import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.metering.messaging.BatchConsumers;
import io.tokenfactory.metering.usage.UsageIngestion;
import io.tokenfactory.metering.usage.UsageValidation;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * Binds {@code tokenfactory.usage-recorded} (group {@code metering-service}, batches) to
 * {@link UsageIngestion}.
 */
@Configuration(proxyBeanMethods = false)
class UsageRecordedConsumerConfiguration {

    @Bean
    Consumer<Message<Object>> usageRecorded(BatchConsumers consumers, UsageValidation validation,
            UsageIngestion ingestion) {
        return consumers.consumer("usageRecorded-in-0", EventTypes.USAGE_RECORDED, UsageRecorded.class,
                validation::problem, ingestion::ingest);
    }

}
