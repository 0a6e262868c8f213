package io.tokenfactory.metering.messaging;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.metering.MeteringEvents;
import io.tokenfactory.support.events.CloudEventBatches;
import io.tokenfactory.support.events.EventProducers;
import org.junit.jupiter.api.Test;

import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class EventBatchDecoderTests {

    // as strict as the service's own mapper: nothing may follow a document's value
    private final JsonMapper json = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private final EventBatchDecoder decoder = new EventBatchDecoder(json, EventProducers.unchecked());

    private final UUID department = UUID.randomUUID();

    private final List<UsageRecorded> events = List.of(
            MeteringEvents.usage(department, Instant.now().truncatedTo(ChronoUnit.MILLIS), 12, 34, 1.5),
            MeteringEvents.usage(department, Instant.now().truncatedTo(ChronoUnit.MILLIS), 5, 6, 0.25));

    private final byte[] batch = CloudEventBatches.encode(events, "urn:test", json);

    @Test
    void aBatchAsTheRelayWritesItIsReadInOnePass() {
        var elements = decoder.streamed(batch, Map.of(), UsageRecorded.class);

        assertThat(elements).as("read in one pass, not again as a tree").isNotNull();
        assertThat(elements).extracting(element -> element.read(UsageRecorded.class)).isEqualTo(events);
        assertThat(elements).extracting(element -> element.type()).containsOnly(events.get(0).type());
    }

    @Test
    void everyEventOfABatchIsAcceptedWithItsOwnRecord() {
        var message = MessageBuilder.withPayload((Object) List.of(batch))
            .setHeader("kafka_batchConvertedHeaders",
                    List.of(Map.of(MessageHeaders.CONTENT_TYPE, CloudEventBatches.CONTENT_TYPE)))
            .build();

        DecodedBatch<UsageRecorded> decoded = decoder.decode(message, events.get(0).type(), UsageRecorded.class,
                event -> Optional.empty(), "tokenfactory.usage-recorded", "metering-service");

        assertThat(decoded.rejected()).isEmpty();
        assertThat(decoded.accepted()).extracting(DecodedBatch.Accepted::event).isEqualTo(events);
    }

}
