package io.tokenfactory.inference.web.openai;

import static io.tokenfactory.inference.web.openai.OpenAiErrors.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Chat messages as the text a local byte-level model continues. */
class ChatPromptTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void theMessagesTextsAreJoinedByBlankLinesAndTheModelWritesWhatFollows() {
        assertThat(ChatPrompt.of(json("[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Call me\"}]},"
                + "{\"role\":\"assistant\",\"content\":null},{\"role\":\"user\",\"content\":\"Ishmael\"}]")))
            .isEqualTo("Be brief.\n\nCall me\n\nIshmael\n\n");
    }

    @Test
    void messagesAreRequiredAndMustBeANonEmptyArray() {
        assertThat(refusal(() -> ChatPrompt.of(null))).containsEntry("code", "missing_required_parameter")
            .containsEntry("param", "messages");
        assertThat(refusal(() -> ChatPrompt.of(json("[]")))).containsEntry("message",
                "'messages' must be a non-empty array.");
        assertThat(refusal(() -> ChatPrompt.of(json("{\"role\":\"user\"}")))).containsEntry("param", "messages");
    }

    @Test
    void eachMessageIsAnObjectWithAKnownRoleAndTheRefusalNamesWhichOne() {
        assertThat(refusal(() -> ChatPrompt.of(json("[{\"role\":\"user\",\"content\":\"a\"},\"b\"]"))))
            .containsEntry("param", "messages[1]")
            .containsEntry("message", "Each message must be an object.");
        assertThat(refusal(() -> ChatPrompt
            .of(json("[{\"role\":\"user\",\"content\":\"a\"}," + "{\"role\":\"narrator\",\"content\":\"b\"}]"))))
            .containsEntry("param", "messages[1].role");
        assertThat(refusal(() -> ChatPrompt.of(json("[{\"content\":\"a\"}]")))).containsEntry("param",
                "messages[0].role");
        assertThat(refusal(() -> ChatPrompt.of(json("[{\"role\":\"user\",\"content\":5}]")))).containsEntry("param",
                "messages[0].content");
    }

    @Test
    void messagesWithoutAnyTextGiveTheModelNothingToContinue() {
        assertThat(refusal(() -> ChatPrompt
            .of(json("[{\"role\":\"user\",\"content\":\"\"}," + "{\"role\":\"tool\",\"content\":null}]"))))
            .containsEntry("message", "The messages hold no text.");
    }

    private static JsonNode json(String text) {
        return JSON.readTree(text);
    }

}
