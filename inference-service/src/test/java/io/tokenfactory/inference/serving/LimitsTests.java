package io.tokenfactory.inference.serving;

import static io.tokenfactory.inference.serving.GenerationCalls.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.tokenfactory.inference.serving.GenerationCall.Kind;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/**
 * A request's completion tokens against its model's context (256) and output limit (200),
 * default 128.
 */
class LimitsTests {

    @Test
    void withoutALimitARequestGetsTheModelsDefaultCappedByWhatItsPromptLeaves() {
        assertThat(Limits.maxTokens(call(Kind.CHAT, null, false, false), 10)).isEqualTo(128);
        assertThat(Limits.maxTokens(call(Kind.CHAT, null, false, false), 200)).isEqualTo(56);
        assertThat(Limits.maxTokens(call(Kind.CHAT, null, false, false), 255)).isEqualTo(1);
    }

    @Test
    void anAskedLimitIsGrantedWhenPromptAndCompletionFitTheContextExactly() {
        assertThat(Limits.maxTokens(call(Kind.COMPLETION, 200, false, false), 56)).isEqualTo(200);
        assertThat(Limits.maxTokens(call(Kind.COMPLETION, 1, false, false), 255)).isEqualTo(1);
    }

    @Test
    void askingMoreThanTheModelMayWriteNamesTheParameterOfTheEndpoint() {
        assertThat(refusal(() -> Limits.maxTokens(call(Kind.CHAT, 201, false, false), 0)))
            .containsEntry("param", "max_completion_tokens")
            .containsEntry("code", "invalid_value")
            .containsEntry("message",
                    "max_tokens is too large: 201. This model supports at most 200 completion tokens.");
        assertThat(refusal(() -> Limits.maxTokens(call(Kind.COMPLETION, 201, false, false), 0))).containsEntry("param",
                "max_tokens");
    }

    @Test
    void aPromptThatLeavesNoRoomOrAskedTokensBeyondTheContextExceedIt() {
        assertThat(refusal(() -> Limits.maxTokens(call(Kind.CHAT, null, false, false), 256)))
            .containsEntry("code", "context_length_exceeded")
            .containsEntry("param", "messages")
            .containsEntry("message", "This model's maximum context length is 256 tokens. However, you requested "
                    + "384 tokens (256 in the messages, 128 in the completion). Please reduce the length of the "
                    + "messages or completion.");
        assertThat(refusal(() -> Limits.maxTokens(call(Kind.CHAT, 100, false, false), 157))).containsEntry("code",
                "context_length_exceeded");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> refusal(Runnable limited) {
        try {
            limited.run();
        }
        catch (OpenAiException e) {
            assertThat(e.status()).isEqualTo(HttpStatus.BAD_REQUEST);
            return (Map<String, Object>) e.toBody().get("error");
        }
        throw new AssertionError("expected an OpenAI error");
    }

}
