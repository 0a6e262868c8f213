package io.tokenfactory.support.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.util.MimeTypeUtils;

/**
 * A dead letter keeps what a reader or a replay needs, never the binder's bookkeeping; a
 * replay reaches only the group it is meant for.
 */
class DeadLetterHeadersTests {

    @Test
    void keepsTheMessagesOwnHeadersAsTextAndLeavesTheBindersBookkeepingOut() {
        Map<String, String> kept = DeadLetterHeaders.kept(Map.of("ce-id", "42", "cloudEvents:type",
                "tokenfactory.usage-metered.v1", "ce_subject", "\"department/7\"".getBytes(StandardCharsets.UTF_8),
                "contentType", MimeTypeUtils.APPLICATION_JSON, "amqp_deliveryTag", 5L, "kafka_offset", 9L,
                "deliveryAttempt", new AtomicInteger(1), "id", "x", "x-death", List.of(Map.of())));

        assertThat(kept).containsOnly(Map.entry("ce-id", "42"),
                Map.entry("cloudEvents:type", "tokenfactory.usage-metered.v1"), Map.entry("ce_subject", "department/7"),
                Map.entry("contentType", "application/json"));
    }

    @Test
    void findsACloudEventsAttributeUnderWhicheverPrefixTheBinderUsed() {
        assertThat(DeadLetterHeaders.cloudEvent(Map.of("ce-type", "a"), "type")).isEqualTo("a");
        assertThat(DeadLetterHeaders.cloudEvent(Map.of("ce_type", "b"), "type")).isEqualTo("b");
        assertThat(DeadLetterHeaders.cloudEvent(Map.of("cloudEvents:type", "c"), "type")).isEqualTo("c");
        assertThat(DeadLetterHeaders.cloudEvent(Map.of("cloudEvents_id", "d".getBytes(StandardCharsets.UTF_8)), "id"))
            .isEqualTo("d");
        assertThat(DeadLetterHeaders.cloudEvent(Map.of(), "id")).isNull();
    }

    @Test
    void aReplayIsPassedByInEveryGroupButTheOneItIsMeantFor() {
        Map<String, Object> replay = Map.of(DeadLetterHeaders.REPLAY_FOR, "gateway");
        assertThat(DeadLetterHeaders.replayForAnotherGroup(replay, "gateway")).isFalse();
        assertThat(DeadLetterHeaders.replayForAnotherGroup(replay, "agent-service")).isTrue();
        assertThat(DeadLetterHeaders.replayForAnotherGroup(Map.of("ce-id", "1"), "agent-service")).isFalse();
    }

}
