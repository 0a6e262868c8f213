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

    @Test
    void aHugeLimitTimesSeveralChoicesSaturatesInsteadOfOverflowing() {
        assertThat(parse("{\"max_tokens\":\"9223372036854775807\",\"n\":2}").maxCompletionTokens())
            .isEqualTo(Long.MAX_VALUE);
        assertThat(parse("{\"max_tokens\":4611686018427387904,\"best_of\":3}").maxCompletionTokens())
            .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void theLargerOfNAndBestOfMultipliesTheCompletionLimit() {
        assertThat(parse("{\"max_tokens\":10,\"n\":2,\"best_of\":5}").maxCompletionTokens()).isEqualTo(50);
        assertThat(parse("{\"max_tokens\":10,\"n\":\"3\"}").maxCompletionTokens()).isEqualTo(30);
        assertThat(parse("{\"max_tokens\":10,\"n\":0}").maxCompletionTokens()).isEqualTo(10);
    }

    @Test
    void aLimitThatIsNotAPositiveWholeNumberCountsAsNoneAndTheNextOneIsRead() {
        assertThat(parse("{\"max_completion_tokens\":0,\"max_tokens\":64}").maxCompletionTokens()).isEqualTo(64);
        assertThat(parse("{\"max_completion_tokens\":\"lots\",\"max_tokens\":-5}").maxCompletionTokens()).isNull();
        assertThat(parse("{\"max_tokens\":12.5}").maxCompletionTokens()).isNull();
        assertThat(parse("{\"max_tokens\":\" 32 \"}").maxCompletionTokens()).isEqualTo(32);
        assertThat(parse("{\"max_tokens\":null}").maxCompletionTokens()).isNull();
    }

    @Test
    void thePromptEstimateCountsTheUtf8BytesOfMessagesPromptAndInputAsSent() {
        InferenceRequestShape shape = parse("{\"prompt\":\"ab\",\"input\":[\"€\"],\"messages\":null}");

        // "ab" with its quotes is 4 bytes, ["€"] is 2 + 2 + 3
        assertThat(shape.promptTokenEstimate()).isEqualTo(4 + 7);
        assertThat(parse("{\"model\":\"m\"}").promptTokenEstimate()).isZero();
    }

    @Test
    void aModelThatIsNotAStringNamesNoModelAndABodyThatIsNoObjectHasNoShape() {
        assertThat(parse("{\"model\":42}").model()).isNull();
        assertThat(parse("{\"model\":[\"m\"]}").model()).isNull();
        assertThat(parse("{}").stream()).isFalse();
        assertThat(parse("[{\"model\":\"m\"}]")).isNull();
        assertThat(parse("\"m\"")).isNull();
        assertThat(parse("")).isNull();
    }

}
