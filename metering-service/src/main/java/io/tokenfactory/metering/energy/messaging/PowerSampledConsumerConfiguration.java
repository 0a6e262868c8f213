package io.tokenfactory.metering.energy.messaging;

import java.util.function.Consumer;

import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.contracts.PowerSampled;
import io.tokenfactory.metering.energy.PowerIngestion;
import io.tokenfactory.metering.energy.PowerValidation;
import io.tokenfactory.metering.messaging.BatchConsumers;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * Binds {@code tokenfactory.power-sampled} (group {@code metering-service}, batches) to
 * {@link PowerIngestion}.
 */
@Configuration(proxyBeanMethods = false)
class PowerSampledConsumerConfiguration {

    @Bean
    Consumer<Message<Object>> powerSampled(BatchConsumers consumers, PowerValidation validation,
            PowerIngestion ingestion) {
        return consumers.consumer("powerSampled-in-0", EventTypes.POWER_SAMPLED, PowerSampled.class,
                validation::problem, ingestion::ingest);
    }

}
