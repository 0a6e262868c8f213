package io.tokenfactory.inference.serving;

import static io.tokenfactory.inference.serving.GenerationCalls.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tokenfactory.inference.serving.GenerationCall.Kind;

import org.junit.jupiter.api.Test;

/** The OpenAI response bodies and stream chunks, as OpenAI clients parse them. */
class OpenAiPayloadsTests {

    @Test
    void usageAddsPromptAndCompletionIntoTheTotal() {
        assertThat(OpenAiPayloads.usage(12, 30)).containsExactly(Map.entry("prompt_tokens", 12L),
                Map.entry("completion_tokens", 30L), Map.entry("total_tokens", 42L));
    }

    @Test
    void aChatCompletionCarriesAnAssistantMessageAndATextCompletionItsText() {
        Map<String, Object> chat = OpenAiPayloads.completion(call(Kind.CHAT, null, false, false), "byte-lm-moby", "Hi",
                "stop", OpenAiPayloads.usage(1, 2));
        Map<String, Object> text = OpenAiPayloads.completion(call(Kind.COMPLETION, null, false, false), "byte-lm-moby",
                "Hi", "length", OpenAiPayloads.usage(1, 2));

        assertThat(chat).containsEntry("object", "chat.completion")
            .containsEntry("id", "chatcmpl-1")
            .containsEntry("created", 1_700_000_000L)
            .containsEntry("model", "byte-lm-moby");
        assertThat(choice(chat)).containsEntry("finish_reason", "stop")
            .containsEntry("index", 0)
            .extractingByKey("message")
            .asInstanceOf(MAP)
            .containsEntry("role", "assistant")
            .containsEntry("content", "Hi");
        assertThat(text).containsEntry("object", "text_completion");
        assertThat(choice(text)).containsEntry("text", "Hi")
            .containsEntry("finish_reason", "length")
            .doesNotContainKey("message");
    }

    @Test
    void theFirstChatChunkNamesTheRoleWithEmptyContentAndLaterOnesOnlyTheirText() {
        GenerationCall chat = call(Kind.CHAT, null, true, false);

        assertThat(delta(OpenAiPayloads.chunk(chat, "m", null, true, null, null)))
            .containsExactly(Map.entry("role", "assistant"), Map.entry("content", ""));
        assertThat(delta(OpenAiPayloads.chunk(chat, "m", "whale", false, null, null)))
            .containsExactly(Map.entry("content", "whale"));
        assertThat(delta(OpenAiPayloads.chunk(chat, "m", null, false, "stop", null))).isEmpty();
        assertThat(OpenAiPayloads.chunk(chat, "m", "x", false, null, null))
            .containsEntry("object", "chat.completion.chunk")
            .doesNotContainKey("usage");
    }

    @Test
    void whenUsageWasAskedForEveryChunkSaysNoneYetAndTheLastCarriesItWithoutChoices() {
        GenerationCall completion = call(Kind.COMPLETION, null, true, true);

        Map<String, Object> chunk = OpenAiPayloads.chunk(completion, "m", null, false, null, null);
        Map<String, Object> last = OpenAiPayloads.usageChunk(completion, "m", OpenAiPayloads.usage(3, 4));

        assertThat(chunk).containsEntry("usage", null).containsEntry("object", "text_completion");
        assertThat(choice(chunk)).containsEntry("text", "");
        assertThat(last.get("choices")).isEqualTo(List.of());
        assertThat(last).containsEntry("usage", OpenAiPayloads.usage(3, 4));
    }

    @Test
    void anErrorHasOpenAisShapeAndABusyEngineSaysWhenToComeBack() {
        OpenAiException busy = OpenAiException.busy("queue full", 2);

        assertThat(OpenAiException.invalid("stop", "bad").toBody())
            .isEqualTo(Map.of("error", errorOf("bad", "invalid_request_error", "stop", "invalid_value")));
        assertThat(busy.status().value()).isEqualTo(429);
        assertThat(busy.retryAfterSeconds()).isEqualTo(2);
        assertThat(OpenAiException.unavailable("x", "down").retryAfterSeconds()).isEqualTo(5);
        assertThat(OpenAiException.departmentRequired().status().value()).isEqualTo(403);
    }

    private static Map<String, Object> errorOf(String message, String type, String param, String code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return error;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> choice(Map<String, Object> body) {
        return ((List<Map<String, Object>>) body.get("choices")).get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> delta(Map<String, Object> chunk) {
        return (Map<String, Object>) choice(chunk).get("delta");
    }

}
