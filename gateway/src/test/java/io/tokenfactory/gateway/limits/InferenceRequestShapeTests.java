package io.tokenfactory.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class InferenceRequestShapeTests {

    private static InferenceRequestShape parse(String json) {
        return InferenceRequestShape.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void reservesThePromptBytesPlusTheCompletionLimitOfEveryChoice() {
        InferenceRequestShape shape = parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"héllo\"}],"
                + "\"max_tokens\":100,\"n\":3}");

        assertThat(shape.model()).isEqualTo("m");
        assertThat(shape.reservation(1024, true)).isEqualTo(shape.promptTokenEstimate() + 300);
        assertThat(shape.promptTokenEstimate()).isGreaterThanOrEqualTo("héllo".getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void readsLimitsGivenAsNumericStringsAndPrefersMaxCompletionTokens() {
        assertThat(parse("{\"max_tokens\":\"250\"}").maxCompletionTokens()).isEqualTo(250);
        assertThat(parse("{\"max_tokens\":10,\"max_completion_tokens\":40}").maxCompletionTokens()).isEqualTo(40);
    }

    @Test
    void fallsBackToTheDefaultWithoutALimitAndReservesNoCompletionForEmbeddings() {
        InferenceRequestShape shape = parse("{\"input\":\"abc\",\"stream\":true}");

        assertThat(shape.stream()).isTrue();
        assertThat(shape.reservation(1024, true)).isEqualTo(shape.promptTokenEstimate() + 1024);
        assertThat(shape.reservation(1024, false)).isEqualTo(shape.promptTokenEstimate());
        assertThat(parse("not json")).isNull();
    }
}
