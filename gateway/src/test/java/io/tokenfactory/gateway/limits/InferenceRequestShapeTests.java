package io.tokenfactory.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class InferenceRequestShapeTests {

    private static InferenceRequestShape parse(String json) {
        return InferenceRequestShape.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void reservesThePromptBytesPlusTheCompletionLimit() {
        InferenceRequestShape shape = parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"héllo\"}],"
                + "\"max_tokens\":100,\"n\":1}");

        assertThat(shape.model()).isEqualTo("m");
        assertThat(shape.reservation(1024, true)).isEqualTo(shape.promptTokenEstimate() + 100);
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
    void aLimitOutsideOneToTheLargestIntIsRefusedNamingItsField() {
        assertThatThrownBy(() -> parse("{\"max_tokens\":\"9223372036854775807\"}")).isInstanceOfSatisfying(
                InferenceRequestShape.Invalid.class, invalid -> assertThat(invalid.param()).isEqualTo("max_tokens"));
        assertThatThrownBy(() -> parse("{\"max_completion_tokens\":0,\"max_tokens\":64}")).isInstanceOfSatisfying(
                InferenceRequestShape.Invalid.class,
                invalid -> assertThat(invalid.param()).isEqualTo("max_completion_tokens"));
        for (String limit : new String[] { "\"lots\"", "-5", "12.5", "2147483648", "true" }) {
            assertThatThrownBy(() -> parse("{\"max_tokens\":" + limit + "}")).as(limit)
                .isInstanceOf(InferenceRequestShape.Invalid.class)
                .hasMessageContaining("from 1 to 2147483647");
        }
        assertThat(parse("{\"max_tokens\":\" 32 \"}").maxCompletionTokens()).isEqualTo(32);
        assertThat(parse("{\"max_tokens\":2147483647}").maxCompletionTokens()).isEqualTo(Integer.MAX_VALUE);
        assertThat(parse("{\"max_tokens\":null}").maxCompletionTokens()).isNull();
    }

    @Test
    void oneChoicePerRequestAndAtMostFourShortStopSequences() {
        assertThat(parse("{\"max_tokens\":10,\"n\":\"1\",\"best_of\":1}").maxCompletionTokens()).isEqualTo(10);
        assertThat(parse("{\"stop\":[\"a\",\"b\",\"c\",\"d\"]}")).isNotNull();
        assertThat(parse("{\"stop\":\"END\"}")).isNotNull();
        for (String field : new String[] { "\"n\":2", "\"n\":0", "\"best_of\":5", "\"stop\":[1]", "\"stop\":\"\"",
                "\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]", "\"stop\":{\"a\":1}",
                "\"stop\":\"" + "x".repeat(257) + "\"" }) {
            assertThatThrownBy(() -> parse("{" + field + "}")).as(field)
                .isInstanceOf(InferenceRequestShape.Invalid.class);
        }
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
