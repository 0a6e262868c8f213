package io.tokenfactory.inference.serving;

import static io.tokenfactory.inference.serving.GenerationCalls.call;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.ToLongFunction;

import io.tokenfactory.inference.serving.GenerationCall.Kind;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Token counts of a remote server's answer: as it reported them, else counted here and
 * flagged as estimated.
 */
class RemoteGenerationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Stands in for the backend's count: one token per character, so a test can tell it
     * was used.
     */
    private static final ToLongFunction<String> CHARACTERS = String::length;

    @Test
    void reportedCountsAreTakenAsTheyAre() {
        RemoteGeneration.Counts counts = RemoteGeneration.counts(
                json("{\"prompt_tokens\":11,\"completion_tokens\":7," + "\"total_tokens\":99}"), 500, "ignored",
                CHARACTERS);

        assertThat(counts).isEqualTo(new RemoteGeneration.Counts(11, 7, false));
    }

    @Test
    void negativeReportedCountsBecomeZero() {
        assertThat(
                RemoteGeneration.counts(json("{\"prompt_tokens\":-3,\"completion_tokens\":-1}"), 500, "x", CHARACTERS))
            .isEqualTo(new RemoteGeneration.Counts(0, 0, false));
    }

    @Test
    void withoutTwoWholeReportedCountsThePromptCountAndTheCompletionsOwnCountAreUsedAndFlagged() {
        RemoteGeneration.Counts expected = new RemoteGeneration.Counts(500, 5, true);

        assertThat(RemoteGeneration.counts(null, 500, "whale", CHARACTERS)).isEqualTo(expected);
        assertThat(RemoteGeneration.counts(json("null"), 500, "whale", CHARACTERS)).isEqualTo(expected);
        assertThat(RemoteGeneration.counts(json("{\"prompt_tokens\":11}"), 500, "whale", CHARACTERS))
            .isEqualTo(expected);
        assertThat(RemoteGeneration.counts(json("{\"prompt_tokens\":11,\"completion_tokens\":\"7\"}"), 500, "whale",
                CHARACTERS))
            .isEqualTo(expected);
        assertThat(RemoteGeneration.counts(json("{\"prompt_tokens\":11,\"completion_tokens\":7.5}"), 500, "whale",
                CHARACTERS))
            .isEqualTo(expected);
    }

    @Test
    void theCompletionTextIsAChatMessagesContentOrACompletionsText() {
        JsonNode chat = json("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"Ahoy\"}}]}");
        JsonNode text = json("{\"choices\":[{\"text\":\"Ahoy\"}]}");

        assertThat(RemoteGeneration.completionText(call(Kind.CHAT, null, false, false), chat)).isEqualTo("Ahoy");
        assertThat(RemoteGeneration.completionText(call(Kind.COMPLETION, null, false, false), text)).isEqualTo("Ahoy");
        assertThat(RemoteGeneration.completionText(call(Kind.CHAT, null, false, false), text)).isEmpty();
        assertThat(RemoteGeneration.completionText(call(Kind.CHAT, null, false, false), json("{\"choices\":[]}")))
            .isEmpty();
    }

    @Test
    void aChunksTextIsItsDeltasContentOrItsTextAndNothingForUsageOrRoleChunks() {
        GenerationCall chat = call(Kind.CHAT, null, true, false);

        assertThat(RemoteGeneration.deltaText(chat, json("{\"choices\":[{\"delta\":{\"content\":\"sea\"}}]}")))
            .isEqualTo("sea");
        assertThat(RemoteGeneration.deltaText(chat, json("{\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}")))
            .isEmpty();
        assertThat(RemoteGeneration.deltaText(chat, json("{\"choices\":[],\"usage\":{\"total_tokens\":3}}"))).isEmpty();
        assertThat(RemoteGeneration.deltaText(call(Kind.COMPLETION, null, true, false),
                json("{\"choices\":[{\"text\":\"sea\"}]}")))
            .isEqualTo("sea");
    }

    private static JsonNode json(String text) {
        return JSON.readTree(text);
    }

}
